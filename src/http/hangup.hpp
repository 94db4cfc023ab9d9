// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/hangup.hpp: waiting for a peer to hang up without reading what it sent (internal).
//
// The platform's way is in a file of its own, chosen at build time: hangup_linux.cpp (a private
// epoll set reporting EPOLLRDHUP, so a FIN behind unread bytes is seen too) or
// hangup_portable.cpp (only a reset or a full hang-up, as the socket's error wait reports it).
//

#ifndef ASIOCTX_SRC_HTTP_HANGUP_HPP
#define ASIOCTX_SRC_HTTP_HANGUP_HPP

#include <asioctx/bind.hpp>
#include <asioctx/context.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asioctx {
namespace http {
namespace detail {

// True when the peer of s hangs up; false when the wait ends first (ctx done, or the slot's
// cancellation emitted).
boost::asio::awaitable<bool> wait_hangup(boost::asio::ip::tcp::socket& s, const context& ctx,
                                         boost::asio::cancellation_slot slot);

// What every platform can wait for: an error on the socket (a reset, a full hang-up).
inline boost::asio::awaitable<bool> wait_socket_error(boost::asio::ip::tcp::socket& s, const context& ctx,
                                                      boost::asio::cancellation_slot slot) {
  namespace net = boost::asio;
  auto [ec] = co_await s.async_wait(
      net::ip::tcp::socket::wait_error,
      asioctx::bind(ctx, net::bind_cancellation_slot(slot, net::as_tuple(net::use_awaitable))));
  co_return !ec;
}

}  // namespace detail
}  // namespace http
}  // namespace asioctx

#endif  // ASIOCTX_SRC_HTTP_HANGUP_HPP
