#include "app/orgs/demo_org.hpp"

#include <boost/json.hpp>

#include "app/orgs/directory.hpp"
#include "core/agent/org_config_json.hpp"

namespace vg::app {
namespace {

constexpr const char* demo_document = R"({
  "organization": {
    "id": "demo", "name": "voxgate demo", "timezone": "UTC",
    "description": "A demonstration line for voxgate, an open-source AI phone gateway. Callers can try a booking."
  },
  "assistants": [{
    "id": "demo", "name": "Vox", "languages": ["en"],
    "greeting": "Hi, this is Vox, the voxgate demo assistant. You can ask me what I can do, or try booking an appointment.",
    "hours": {"daily": "00:00-24:00"},
    "services": [{"name": "Demo appointment", "minutes": 30, "price": 0}],
    "faqs": [{"q": "What is voxgate?", "a": "An open-source gateway that lets an AI assistant answer and place phone calls for a business."},
             {"q": "How do I set up my own business?", "a": "Import a YAML file with voxgate org import, or use the REST API."}],
    "instructions": "This is a demo line: nothing booked here is real. Say so if the caller asks."
  }]
})";

}  // namespace

bool seed_demo_org(ports::store& store) {
  if (!store.list_orgs().empty()) return false;
  auto doc = agent::document_from_json(boost::json::parse(demo_document));
  if (!doc) throw std::logic_error("the built-in demo organisation is invalid: " + doc.error_message());
  std::vector<ports::assistant_record> assistants;
  for (const auto& a : doc->assistants) assistants.push_back(to_record(doc->org.id, a));
  store.save_org_document(to_record(doc->org), assistants);
  return true;
}

}  // namespace vg::app
