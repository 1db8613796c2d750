// Percent-encoding (RFC 3986 2.1): every byte but the unreserved A-Z a-z 0-9 - . _ ~ (and any
// listed in `keep`) becomes %XY, upper-case hex, as AWS Signature V4 and Twilio's signatures
// require. Pure.
#pragma once
#include <string>
#include <string_view>

namespace vg::http {

std::string percent_encode(std::string_view s, std::string_view keep = {});

}  // namespace vg::http
