// The command-line tools that work on the store directly (no server needed): organisations
// from and to YAML, API tokens, the prompt an assistant gets. Each returns a process exit code
// and prints one clear line on failure. They see ports only: the composition root (main.cpp,
// with app/compose.hpp) opens the adapters behind them.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ports/store.hpp"
#include "ports/yaml.hpp"
#include "ports/zones.hpp"

namespace vg::app {

struct admin_ports {
  // Opens (and migrates) the store; called only once a command knows it needs it, so a usage
  // error touches no database.
  std::function<std::unique_ptr<ports::store>()> open_store;
  ports::zones& zones;
  const ports::yaml& yaml;
};

// `voxgate org import FILE.yaml`, `org export ID`, `org list`.
int org_command(const admin_ports& deps, const std::vector<std::string>& args);
// `voxgate token create [--org ID] [--name NAME]`, `token list`, `token revoke ID`.
int token_command(const admin_ports& deps, const std::vector<std::string>& args);
// `voxgate prompt ORG [--assistant ID]`.
int prompt_command(const admin_ports& deps, const std::vector<std::string>& args);

}  // namespace vg::app
