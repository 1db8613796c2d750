// API tokens: made from 32 random bytes, shown once, stored only as their SHA-256. A token
// carries its public id ("vg_<id>_<secret>") so lists can name it without the secret.
#pragma once
#include <string>

#include "ports/store.hpp"

namespace vg::app {

struct new_token {
  std::string secret;  // the whole token, given to the user once
  ports::token_record record;
};

new_token make_token(const std::string& org_id, const std::string& name, std::int64_t now_ms);
std::string token_hash(std::string_view token);

}  // namespace vg::app
