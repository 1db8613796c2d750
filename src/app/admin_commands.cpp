#include "app/admin_commands.hpp"
#include "app/wall_clock.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "app/api/api_tokens.hpp"
#include "app/orgs/directory.hpp"
#include "core/agent/org_config_json.hpp"

namespace vg::app {
namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "voxgate: %s\n", message.c_str());
  return 2;
}


// "--name VALUE" from args (removed from them); empty when absent.
std::string take_option(std::vector<std::string>& args, const std::string& name) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == name) {
      std::string v = args[i + 1];
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
      return v;
    }
  }
  return {};
}

int import_file(const admin_ports& deps, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto json = deps.yaml.to_json(text.str());
  if (!json) return fail(path + ": " + json.error_message());
  auto doc = agent::document_from_json(*json);
  if (!doc) return fail(path + ": " + doc.error_message());
  if (auto zone = deps.zones.check(doc->org.timezone); !zone) {
    return fail(path + ": organization.timezone: " + zone.error_message());
  }
  auto store = deps.open_store();
  std::vector<ports::assistant_record> assistants;
  for (const auto& a : doc->assistants) assistants.push_back(to_record(doc->org.id, a));
  try {
    store->save_org_document(to_record(doc->org), assistants);
  } catch (const ports::store_conflict& e) {
    return fail(path + ": " + e.what());
  }
  std::printf("imported organisation '%s' (%s) with %zu assistant(s) and %zu number(s)\n", doc->org.id.c_str(),
              doc->org.name.c_str(), doc->assistants.size(), doc->org.numbers.size());
  return 0;
}

// One line per organisation: id, name, numbers, and whether its stored document passes today's
// checks ("ok", or how many problems, each then on a line of its own, indented, with its path).
// A document stored by an earlier version can fail a check added since; the server still
// answers its calls (unless it is unreadable), and this is where an operator finds out.
int list_orgs(const admin_ports& deps) {
  auto store = deps.open_store();
  directory dir{deps.zones, false};
  dir.reload(*store);
  const auto snap = dir.current();
  for (const auto& o : store->list_orgs()) {
    std::string numbers;
    for (const auto& n : o.numbers) numbers += " " + n;
    const auto found = snap->problems.find(o.id);
    const std::size_t count = found == snap->problems.end() ? 0 : found->second.size();
    const std::string status = count == 0 ? "ok" : std::to_string(count) + (count == 1 ? " problem" : " problems");
    std::printf("%s\t%s\t%s\t%s\n", o.id.c_str(), o.name.c_str(), numbers.empty() ? "-" : numbers.c_str() + 1,
                status.c_str());
    if (count != 0) {
      for (const auto& p : found->second) std::printf("  %s\n", p.c_str());
    }
  }
  return 0;
}

}  // namespace

int org_command(const admin_ports& deps, const std::vector<std::string>& args) {
  try {
    if (args.size() == 2 && args[0] == "import") return import_file(deps, args[1]);
    if (args.size() == 1 && args[0] == "list") return list_orgs(deps);
    if (args.size() == 2 && args[0] == "export") {
      auto store = deps.open_store();
      directory dir{deps.zones};
      dir.reload(*store);
      const auto snap = dir.current();
      const org_entry* entry = snap->find(args[1]);
      if (entry == nullptr) return fail("no organisation '" + args[1] + "'");
      const auto yaml = deps.yaml.to_yaml(agent::to_json(agent::org_document{entry->org, entry->assistants}));
      std::printf("# voxgate organisation '%s' (import with: voxgate org import FILE.yaml)\n%s\n", entry->org.id.c_str(), yaml.c_str());
      return 0;
    }
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return fail("usage: voxgate org import FILE.yaml | org export ID | org list");
}

static int run_token_command(const admin_ports& deps, std::vector<std::string> args) {
  try {
    const std::string org = take_option(args, "--org");
    const std::string name = take_option(args, "--name");
    if (args.size() == 1 && args[0] == "create") {
      auto store = deps.open_store();
      if (!org.empty() && !store->find_org(org)) return fail("no organisation '" + org + "'");
      const auto t = make_token(org, name, unix_now() * 1000);
      store->add_token(t.record);
      std::printf("%s\n", t.secret.c_str());
      std::fprintf(stderr, "token %s for %s: shown once, keep it safe\n", t.record.id.c_str(),
                   org.empty() ? "every organisation (administrator)" : ("organisation '" + org + "'").c_str());
      return 0;
    }
    if (args.size() == 1 && args[0] == "list") {
      auto store = deps.open_store();
      for (const auto& t : store->list_tokens()) {
        std::printf("%s\t%s\t%s\n", t.id.c_str(), t.org_id.empty() ? "*" : t.org_id.c_str(), t.name.c_str());
      }
      return 0;
    }
    if (args.size() == 2 && args[0] == "revoke") {
      auto store = deps.open_store();
      if (!store->delete_token(args[1])) return fail("no token " + args[1]);
      std::printf("revoked %s\n", args[1].c_str());
      return 0;
    }
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return fail("usage: voxgate token create [--org ID] [--name NAME] | token list | token revoke ID");
}

int token_command(const admin_ports& deps, const std::vector<std::string>& args) {
  return run_token_command(deps, args);
}

int prompt_command(const admin_ports& deps, const std::vector<std::string>& args_in) {
  std::vector<std::string> args = args_in;
  const std::string assistant = take_option(args, "--assistant");
  if (args.size() != 1) return fail("usage: voxgate prompt ORG [--assistant ID]");
  try {
    auto store = deps.open_store();
    directory dir{deps.zones};
    dir.reload(*store);
    const auto snap = dir.current();
    const org_entry* entry = snap->find(args[0]);
    if (entry == nullptr) return fail("no organisation '" + args[0] + "'");
    const agent::assistant* a = agent::pick_assistant(entry->assistants, assistant);
    if (a == nullptr) return fail("organisation '" + args[0] + "' has no assistant" + (assistant.empty() ? "" : " '" + assistant + "'"));
    std::fputs(dir.prompt(*entry, *a, unix_now()).c_str(), stdout);
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

}  // namespace vg::app
