// voxgate: an AI phone agent gateway. `voxgate serve` answers Twilio calls and bridges them
// to the OpenAI Realtime API.
#include <sys/resource.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "app/admin_commands.hpp"
#include "app/compose.hpp"
#include "app/config.hpp"
#include "app/server.hpp"
#include "net/log.hpp"

namespace {

constexpr const char* usage = R"(usage: voxgate <command> [options]

commands:
  serve        answer calls (Twilio webhooks + media streams -> OpenAI Realtime)
  migrate      create or upgrade the database (DATABASE_URL), then exit
  org import FILE.yaml   create or replace an organisation and its assistants
  org export ID          print an organisation as YAML (importable)
  org list               list organisations and their numbers
  token create [--org ID] [--name NAME]
                         print a new API token (an administrator's without --org)
  token list | token revoke ID
  prompt ORG [--assistant ID]
                         print the instructions the assistant gets right now
  version      print the version

serve options:
  --port N                    listen port (default $PORT or 5050)
  --threads N                 worker threads (default: one per core)
  --env-file PATH             read settings from PATH (default: ./.env when present)
  --insecure-skip-signature   accept webhooks and streams without X-Twilio-Signature
                              (local development only: anyone could spend your OpenAI budget)

Settings come from the environment or .env: OPENAI_API_KEY, TWILIO_ACCOUNT_SID,
TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER, PORT, PUBLIC_URL, OPENAI_REALTIME_URL, OPENAI_MODEL,
OPENAI_VOICE, OPENAI_REALTIME_BETA, MAX_CALL_DURATION_SECONDS, SYSTEM_MESSAGE, ... (README).
)";

int fail(const std::string& message) {
  std::fprintf(stderr, "voxgate: %s\n", message.c_str());
  return 2;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

// Settings from ./.env (or --env-file) overlaid by the environment, then by flags.
vg::result<vg::app::config> settings(const std::string& env_file, bool env_file_required, const vg::app::env_map& flags) {
  vg::app::env_map vars;
  std::string text;
  if (read_file(env_file, text)) {
    auto parsed = vg::app::parse_dotenv(text);
    if (!parsed) return vg::make_error(env_file + ": " + parsed.error_message());
    vars = std::move(*parsed);
  } else if (env_file_required) {
    return vg::make_error("cannot read " + env_file);
  }
  for (auto& [k, v] : vg::app::process_environment()) vars[k] = v;
  for (auto& [k, v] : flags) vars[k] = v;
  return vg::app::load_config(vars);
}

int migrate() {
  auto cfg = settings(".env", false, {});
  if (!cfg) return fail(cfg.error_message());
  try {
    const int version = vg::app::migrate_store(*cfg);
    std::printf("%s: schema version %d\n", cfg->uses_postgres() ? "postgres" : cfg->database_url.c_str(), version);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return 0;
}

int serve(const std::vector<std::string>& args) {
  std::string env_file = ".env";
  bool env_file_required = false;
  vg::app::env_map flags;
  bool insecure = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* name) -> const std::string* {
      if (i + 1 >= args.size()) return nullptr;
      (void)name;
      return &args[++i];
    };
    if (a == "--port") {
      const auto* v = value("--port");
      if (!v) return fail("--port needs a value");
      flags["PORT"] = *v;
    } else if (a == "--threads") {
      const auto* v = value("--threads");
      if (!v) return fail("--threads needs a value");
      flags["VOXGATE_THREADS"] = *v;
    } else if (a == "--env-file") {
      const auto* v = value("--env-file");
      if (!v) return fail("--env-file needs a value");
      env_file = *v;
      env_file_required = true;
    } else if (a == "--insecure-skip-signature") {
      insecure = true;
    } else {
      return fail("unknown option " + a + " (see voxgate --help)");
    }
  }
  auto cfg = settings(env_file, env_file_required, flags);
  if (!cfg) return fail(cfg.error_message());
  cfg->insecure_skip_signature = insecure;
  const std::string& lvl = cfg->log_level;
  vg::log::set_level(lvl == "debug" ? vg::log::level::debug
                     : lvl == "warn" ? vg::log::level::warn
                     : lvl == "error" ? vg::log::level::error
                                      : vg::log::level::info);

  if (cfg->openai_api_key.empty()) vg::log::warn("OPENAI_API_KEY is not set: calls will hear a spoken apology");
  if (cfg->twilio_auth_token.empty() && !insecure) {
    vg::log::warn("TWILIO_AUTH_TOKEN is not set: webhooks and streams will be refused (403) until it is");
  }
  if (insecure) vg::log::warn("--insecure-skip-signature: Twilio signatures are NOT checked (development only)");
  if (cfg->public_url.empty()) vg::log::info("PUBLIC_URL is not set: using each request's Host header");

  // Every call holds two sockets; the default soft limit of 1024 descriptors would cap a node
  // near 500 calls. Raise it to the hard limit.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < 4096) {
    vg::log::warn("only " + std::to_string(files.rlim_cur) + " file descriptors: about " +
                  std::to_string(files.rlim_cur / 2) + " calls at once (raise `ulimit -n`)");
  }

  try {
    vg::app::server srv(*cfg);
    const auto port = srv.start();
    vg::log::info("voxgate listening on " + cfg->bind_address + ":" + std::to_string(port) + " with " +
                  (cfg->threads ? std::to_string(cfg->threads) : std::string("all")) + " worker threads");
    srv.run_until_signal();
  } catch (const std::exception& e) {
    return fail(std::string("cannot start: ") + e.what());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(usage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "version" || args[0] == "--version") {
    std::puts("voxgate 0.1.0");
    return 0;
  }
  if (args[0] == "serve") return serve(std::vector<std::string>(args.begin() + 1, args.end()));
  if (args[0] == "migrate") return migrate();
  if (args[0] == "org" || args[0] == "token" || args[0] == "prompt") {
    auto cfg = settings(".env", false, {});
    if (!cfg) return fail(cfg.error_message());
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    const auto zones = vg::app::open_zones();
    const auto yaml = vg::app::open_yaml();
    const vg::app::admin_ports deps{[&cfg] { return vg::app::open_store(*cfg); }, *zones, *yaml};
    if (args[0] == "org") return vg::app::org_command(deps, rest);
    if (args[0] == "token") return vg::app::token_command(deps, rest);
    return vg::app::prompt_command(deps, rest);
  }
  return fail("unknown command " + args[0] + " (see voxgate --help)");
}
