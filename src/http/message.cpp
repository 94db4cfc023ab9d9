// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/message.cpp: request checks, budgets and the server's own answers.
//

#include "message.hpp"

#include "sites.hpp"

#include <asioctx/http/timeout_header.hpp>

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include <string_view>

namespace asioctx {
namespace http {
namespace detail {

namespace bhttp = boost::beast::http;

namespace {

std::string_view view(boost::beast::string_view s) { return {s.data(), s.size()}; }

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

bool iequals(std::string_view a, std::string_view b) { return boost::beast::iequals(a, b); }

}  // namespace

std::optional<budget> caller_budget(const request_header& req, metrics& m) {
  // One pass over the fields: a request carries a handful, and a budget header is told by its
  // length before any comparison.
  std::optional<budget> best;
  for (const auto& f : req) {
    if (f.name() != bhttp::field::unknown) continue;
    const std::string_view name = view(f.name_string());
    std::optional<std::chrono::nanoseconds> (*parse)(std::string_view) noexcept = nullptr;
    const source_location* from = nullptr;
    if (name.size() == grpc_timeout_field.size() && iequals(name, grpc_timeout_field)) {
      parse = parse_grpc_timeout;
      from = &site::grpc_timeout;
    } else if (name.size() == envoy_timeout_field.size() && iequals(name, envoy_timeout_field)) {
      parse = parse_envoy_timeout_ms;
      from = &site::envoy_timeout;
    } else if (name.size() == connect_timeout_field.size() && iequals(name, connect_timeout_field)) {
      parse = parse_connect_timeout_ms;
      from = &site::connect_timeout;
    }
    if (parse == nullptr) continue;
    const std::optional<std::chrono::nanoseconds> b = parse(view(f.value()));
    if (!b) {
      m.malformed_timeout_headers_total.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    if (!best || *b < best->left) best = budget{*b, from};
  }
  return best;
}

unsigned header_status(const request_header& req) {
  // Every Transfer-Encoding line counts: the codings are their concatenation.
  std::size_t codings = 0, chunked_at = 0, chunked_count = 0;
  for (auto [it, end] = req.equal_range(bhttp::field::transfer_encoding); it != end; ++it) {
    std::string_view list = view(it->value());
    while (!list.empty()) {
      const auto comma = list.find(',');
      std::string_view coding = trim(list.substr(0, std::min(comma, list.size())));
      coding = trim(coding.substr(0, std::min(coding.find(';'), coding.size())));  // parameters
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
  return it != req.end() && iequals(trim(view(it->value())), "100-continue");
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
