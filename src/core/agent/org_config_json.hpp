// JSON in and out for organisations and assistants (the REST API's bodies and, through the
// YAML adapter, the import files). Readers reject unknown fields and report every problem with
// its path ("assistants[0].hours.sat: ..."), so a typo is an error, not a silent default.
#pragma once
#include <boost/json/value.hpp>

#include "core/agent/org_config.hpp"
#include "core/result.hpp"

namespace vg::agent {

result<organization> organization_from_json(const boost::json::value& v);
// One assistant alone: its fields only. What it names in the organisation (templates,
// collections, the fallback number) is checked with the document it joins (problems_added).
result<assistant> assistant_from_json(const boost::json::value& v);
// { "organization": {...}, "assistants": [...] }; assistant ids must be unique, and the whole
// document must pass check_document (document_checks.hpp): this is the import.
result<org_document> document_from_json(const boost::json::value& v);

boost::json::object to_json(const organization& o);
boost::json::object to_json(const assistant& a);
boost::json::object to_json(const org_document& d);

}  // namespace vg::agent
