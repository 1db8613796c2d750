// Checks of a whole organisation document: what one part names in another. The readers
// (org_config_json.cpp) refuse what is wrong in a field on its own (an unknown key, a number out
// of range); these find what is wrong only together: a template an action texts that the
// assistant does not have, a lookup of a collection no tool saves to, a transfer to a fallback
// number the organisation does not have, a gate that says both "any key" and "press 1".
//
// On import and on every write (PUT, POST, DELETE, `voxgate org import`) a problem is refused
// with its path; a stored document that no longer passes (stored by an earlier version, or a
// rule added since) is loaded and served anyway, and reported at start-up and by
// `voxgate org list` (app/orgs/directory.cpp). None of these problems leaves an assistant unable
// to answer: each has a defined outcome during a call (the tool fails and the model says so,
// the fallback is the apology), so a running business is never switched off by an upgrade.
// The rules and why: docs/decisions/0005-document-checks.md.
#pragma once
#include <string>
#include <vector>

#include "core/agent/org_config.hpp"

namespace vg::agent {

struct document_problem {
  std::string path;     // in the document: "assistants[0].tools[1].action.transfer", "organization.fallback_number"
  std::string message;  // "is fallback, but the organisation has no fallback_number"
  int assistant = -1;   // the index of the assistant the path is in; -1: the organisation's own fields

  std::string text() const { return path + ": " + message; }
  // The path inside its assistant ("tools[1].action.transfer"), as a single assistant's PUT
  // names it; the whole path for the organisation's fields.
  std::string path_in_assistant() const;
  bool operator==(const document_problem&) const = default;
};

// Every problem of `d`, in document order.
std::vector<document_problem> check_document(const org_document& d);

// The problems of `after` that `before` did not have: what a write that changes part of an
// organisation (one assistant, the organisation's fields, a number) would add. An assistant is
// known by its id, so a problem that only moved with its assistant (another was deleted) is not
// new. Such a write is refused only for what it adds, so an organisation with a problem from an
// earlier version can still be corrected one assistant at a time.
std::vector<document_problem> problems_added(const org_document& before, const org_document& after);

// "path: message; path: message", as the import answers.
std::string describe(const std::vector<document_problem>& problems);

}  // namespace vg::agent
