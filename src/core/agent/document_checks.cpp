#include "core/agent/document_checks.hpp"

#include <algorithm>
#include <set>
#include <tuple>
#include <variant>

#include <boost/json/object.hpp>

namespace vg::agent {
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Every collection a save action of the organisation writes to: the only way records come to be
// (the API reads and changes records, never creates them).
std::vector<std::string> saved_collections(const org_document& d) {
  std::vector<std::string> out;
  for (const auto& a : d.assistants) {
    for (const auto& t : a.tools) {
      if (const auto* s = std::get_if<save_record>(&t.action); s != nullptr && !contains(out, s->collection)) {
        out.push_back(s->collection);
      }
    }
  }
  return out;
}

class checker {
 public:
  explicit checker(const org_document& d) : d_(d), saved_(saved_collections(d)) {}

  std::vector<document_problem> run() {
    check_organization();
    for (std::size_t i = 0; i < d_.assistants.size(); ++i) {
      const assistant& a = d_.assistants[i];
      const std::string apath = "assistants[" + std::to_string(i) + "]";
      for (std::size_t j = 0; j < a.tools.size(); ++j) {
        check_action(static_cast<int>(i), a, a.tools[j], apath + ".tools[" + std::to_string(j) + "].action");
      }
      check_settings(static_cast<int>(i), a.settings, apath + ".settings");
    }
    return std::move(out_);
  }

 private:
  void fail(int assistant, std::string path, std::string message) {
    out_.push_back({std::move(path), std::move(message), assistant});
  }

  const organization& org() const { return d_.org; }
  bool own_number(const std::string& n) const { return contains(org().numbers, n); }

  void check_organization() {
    // A transfer dials the number; if it is one of the organisation's own, Twilio sends the call
    // straight back to this server and the caller meets the assistant again, not a person.
    if (!org().fallback_number.empty() && own_number(org().fallback_number)) {
      fail(-1, "organization.fallback_number",
           "is one of the organisation's own numbers: a transfer would ring the assistant again, not a person");
    }
  }

  // A template an action texts is one of the assistant's (each assistant has its own).
  void check_template(int i, const assistant& a, const std::string& name, const std::string& path) {
    if (name.empty()) return;
    std::vector<std::string> known;
    for (const auto& [n, text] : a.templates) {
      if (n == name) return;
      known.push_back(n);
    }
    fail(i, path, "there is no template '" + name + "' in the assistant's templates" +
                      (known.empty() ? std::string(" (it has none)") : " (" + joined(known) + ")"));
  }

  // Records come only from save actions: a collection that nothing saves to is empty forever,
  // and is most often a misspelling of one that is saved (`booking` for `bookings`).
  void check_collection(int i, const std::string& collection, const std::string& path, std::string_view what) {
    if (collection.empty() || contains(saved_, collection)) return;
    fail(i, path, "no tool of the organisation saves to '" + collection + "', so there would never be a record to " +
                      std::string(what) + (saved_.empty() ? " (no tool saves anything)" : " (saved: " + joined(saved_) + ")"));
  }

  // A lookup's value comes from the tool's arguments: a field the schema does not list never
  // arrives, and every call would fail.
  void check_lookup_by(int i, const tool_def& t, const look_up_record& l, const std::string& path) {
    if (l.by_caller()) return;
    std::vector<std::string> names;
    if (const auto* p = t.parameters.if_object(); p != nullptr && p->if_contains("properties") != nullptr) {
      if (const auto* props = p->at("properties").if_object()) {
        for (const auto& kv : *props) names.emplace_back(kv.key());
      }
    }
    if (contains(names, l.by)) return;
    fail(i, path + ".by",
         names.empty() ? std::string("must be caller: the tool has no parameters")
                       : "must be one of the tool's parameters (" + joined(names) + ", or caller)");
  }

  void check_action(int i, const assistant& a, const tool_def& t, const std::string& path) {
    if (const auto* s = std::get_if<save_record>(&t.action)) {
      check_template(i, a, s->then_sms, path + ".then_sms");
    } else if (const auto* u = std::get_if<update_record>(&t.action)) {
      check_collection(i, u->collection, path + ".update", "update");
      check_template(i, a, u->then_sms, path + ".then_sms");
    } else if (const auto* c = std::get_if<cancel_record>(&t.action)) {
      check_collection(i, c->collection, path + ".cancel", "cancel");
      check_template(i, a, c->then_sms, path + ".then_sms");
    } else if (const auto* l = std::get_if<look_up_record>(&t.action)) {
      check_collection(i, l->collection, path + ".lookup", "find");
      check_lookup_by(i, t, *l, path);
    } else if (const auto* m = std::get_if<send_sms>(&t.action)) {
      check_template(i, a, m->template_name, path + ".sms");
    } else if (const auto* n = std::get_if<notify_owner>(&t.action)) {
      // Without these the notification would go nowhere while the model was told it went.
      if (n->by_sms() && org().owner.phone.empty()) {
        fail(i, path + ".notify_owner", "texts the owner, but the organisation has no owner.phone");
      }
      if (n->by_webhook() && org().webhook_url.empty()) {
        fail(i, path + ".notify_owner", "posts to the organisation's webhook_url, but it has none");
      }
    } else if (const auto* x = std::get_if<transfer_call>(&t.action)) {
      if (x->to_fallback() && org().fallback_number.empty()) {
        fail(i, path + ".transfer", "is fallback, but the organisation has no fallback_number");
      } else if (!x->to_fallback() && own_number(x->to)) {
        fail(i, path + ".transfer", "is one of the organisation's own numbers: the call would ring the assistant again, not a person");
      }
    }
  }

  void check_settings(int i, const assistant_settings& s, const std::string& path) {
    // Any key, or exactly the digits: both at once cannot both be meant. (A gate without
    // digits opens on any key; `press_any_key: false` alone turns it off.)
    if (s.gate && s.gate->press_any_key.value_or(false) && !s.gate->digits.empty()) {
      fail(i, path + ".gate", "has both press_any_key and digits: pick one (any key, or exactly those digits)");
    }
    if (s.fallback == fallback_route::transfer && org().fallback_number.empty()) {
      fail(i, path + ".fallback", "is transfer, but the organisation has no fallback_number");
    }
    if (s.fallback == fallback_route::gather && s.conversation() == conversation_mode::gather) {
      fail(i, path + ".fallback", "is gather, the mode the assistant already runs in: use apology or transfer");
    }
    // `gather` given while neither the mode nor the fallback is gather is allowed: it is kept,
    // unused, so switching the mode back and forth does not lose it.
  }

  const org_document& d_;
  std::vector<std::string> saved_;
  std::vector<document_problem> out_;
};

// What identifies a problem across two versions of a document: the assistant's id rather than
// its place in the list.
std::tuple<std::string, std::string, std::string> key_of(const org_document& d, const document_problem& p) {
  const bool in_assistant = p.assistant >= 0 && static_cast<std::size_t>(p.assistant) < d.assistants.size();
  return {in_assistant ? d.assistants[static_cast<std::size_t>(p.assistant)].id : std::string(), p.path_in_assistant(),
          p.message};
}

}  // namespace

std::string document_problem::path_in_assistant() const {
  if (assistant < 0) return path;
  const std::string prefix = "assistants[" + std::to_string(assistant) + "]";
  if (path.rfind(prefix, 0) != 0) return path;
  const std::string rest = path.substr(prefix.size());
  return rest.starts_with(".") ? rest.substr(1) : rest;
}

std::vector<document_problem> check_document(const org_document& d) { return checker(d).run(); }

std::vector<document_problem> problems_added(const org_document& before, const org_document& after) {
  std::set<std::tuple<std::string, std::string, std::string>> had;
  for (const auto& p : check_document(before)) had.insert(key_of(before, p));
  std::vector<document_problem> out;
  for (auto& p : check_document(after)) {
    if (had.count(key_of(after, p)) == 0) out.push_back(std::move(p));
  }
  return out;
}

std::string describe(const std::vector<document_problem>& problems) {
  std::string out;
  for (const auto& p : problems) out += (out.empty() ? "" : "; ") + p.text();
  return out;
}

}  // namespace vg::agent
