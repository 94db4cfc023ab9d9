// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/error.cpp: the asioctx error category.
//

#include <asioctx/detail/node.hpp>
#include <asioctx/error.hpp>

#include <string>
#include <system_error>

namespace asioctx {
namespace detail {

namespace {

class category_impl final : public boost::system::error_category {
 public:
  // A fixed id keeps equality working across shared-library boundaries.
  constexpr category_impl() noexcept : error_category(0x6173696f63747831ULL) {}

  const char* name() const noexcept override { return "asioctx"; }

  std::string message(int ev) const override { return message(ev, nullptr, 0); }

  const char* message(int ev, char*, std::size_t) const noexcept override {
    switch (static_cast<error>(ev)) {
      case error::canceled:
        return "context canceled";
      case error::deadline_exceeded:
        return "context deadline exceeded";
    }
    return "unknown asioctx error";
  }

  boost::system::error_condition default_error_condition(int ev) const noexcept override {
    switch (static_cast<error>(ev)) {
      case error::canceled:
        return boost::system::errc::make_error_condition(boost::system::errc::operation_canceled);
      case error::deadline_exceeded:
        return boost::system::errc::make_error_condition(boost::system::errc::timed_out);
    }
    return boost::system::error_condition(ev, *this);
  }
};

const category_impl the_category;

}  // namespace

const boost::system::error_category& error_category_ref = the_category;

}  // namespace detail

const boost::system::error_category& category() noexcept { return detail::the_category; }

}  // namespace asioctx
