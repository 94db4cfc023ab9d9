// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/hangup_portable.cpp: the hang-up wait where no better one is known (the socket's
// error wait: a reset or a full hang-up, not a FIN behind unread bytes).
//

#include "hangup.hpp"

namespace asioctx {
namespace http {
namespace detail {

boost::asio::awaitable<bool> wait_hangup(boost::asio::ip::tcp::socket& s, const context& ctx,
                                         boost::asio::cancellation_slot slot) {
  return wait_socket_error(s, ctx, slot);
}

}  // namespace detail
}  // namespace http
}  // namespace asioctx
