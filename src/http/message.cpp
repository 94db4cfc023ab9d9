// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/message.cpp: request checks and the server's own answers.
//

#include "message.hpp"

#include "text.hpp"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include <string_view>

namespace asioctx {
namespace http {
namespace detail {

namespace bhttp = boost::beast::http;

namespace {

bool iequals(std::string_view a, std::string_view b) { return boost::beast::iequals(a, b); }

}  // namespace

unsigned header_status(const request_header& req) {
  // Every Transfer-Encoding line counts: the codings are their concatenation.
  std::size_t codings = 0, chunked_at = 0, chunked_count = 0;
  for (auto [it, end] = req.equal_range(bhttp::field::transfer_encoding); it != end; ++it) {
    std::string_view list = view(it->value());
    while (!list.empty()) {
      const auto comma = list.find(',');
      std::string_view coding = trim_ows(list.substr(0, std::min(comma, list.size())));
      coding = trim_ows(coding.substr(0, std::min(coding.find(';'), coding.size())));  // parameters
      list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
      if (coding.empty()) continue;
      ++codings;
      if (iequals(coding, "chunked")) {
        ++chunked_count;
        chunked_at = codings;
      }
    }
  }
  if (codings == 0) {
    // A Transfer-Encoding present but empty frames nothing reliably either.
    return req.count(bhttp::field::transfer_encoding) != 0 ? 400 : 0;
  }
  if (req.version() < 11) return 400;
  if (chunked_count != 1 || chunked_at != codings) return 400;  // the length cannot be known
  if (codings > 1) return 501;                                  // a coding we do not decode
  return 0;
}

bool expects_continue(const request_header& req) {
  if (req.version() < 11) return false;
  auto it = req.find(bhttp::field::expect);
  return it != req.end() && iequals(trim_ows(view(it->value())), "100-continue");
}

unsigned bad_request_status(const error_code& ec) {
  if (ec == bhttp::error::header_limit) return 431;
  if (ec == bhttp::error::body_limit) return 413;
  return 400;
}

bool says_close(const response& res) {
  auto it = res.find(bhttp::field::connection);
  return it != res.end() && bhttp::token_list{it->value()}.exists("close");
}

response status_response(unsigned status, unsigned version, std::string body) {
  response res(static_cast<bhttp::status>(status), version);
  res.set(bhttp::field::content_type, "text/plain");
  res.body() = std::move(body);
  return res;
}

}  // namespace detail
}  // namespace http
}  // namespace asioctx
