// The command-line tools that work on the store directly (no server needed): organisations
// from and to YAML, API tokens, the prompt an assistant gets. Each returns a process exit code
// and prints one clear line on failure.
#pragma once
#include <string>
#include <vector>

#include "app/config.hpp"

namespace vg::app {

// `voxgate org import FILE.yaml`, `org export ID`, `org list`.
int org_command(const config& cfg, const std::vector<std::string>& args);
// `voxgate token create [--org ID] [--name NAME]`, `token list`, `token revoke ID`.
int token_command(const config& cfg, const std::vector<std::string>& args);
// `voxgate prompt ORG [--assistant ID]`.
int prompt_command(const config& cfg, const std::vector<std::string>& args);

}  // namespace vg::app
