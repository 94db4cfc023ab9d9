// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/hangup_linux.cpp: the hang-up wait on Linux. A private epoll set holding only the
// socket with EPOLLRDHUP becomes readable when the peer's FIN arrives, even behind bytes nobody
// reads; the socket's error wait is the fallback if the set cannot be made.
//

#include "hangup.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>

#include <sys/epoll.h>
#include <unistd.h>

namespace asioctx {
namespace http {
namespace detail {

boost::asio::awaitable<bool> wait_hangup(boost::asio::ip::tcp::socket& s, const context& ctx,
                                         boost::asio::cancellation_slot slot) {
  namespace net = boost::asio;
  const int efd = ::epoll_create1(EPOLL_CLOEXEC);
  if (efd >= 0) {
    ::epoll_event ev{};
    ev.events = EPOLLRDHUP;
    ev.data.fd = s.native_handle();
    if (::epoll_ctl(efd, EPOLL_CTL_ADD, s.native_handle(), &ev) == 0) {
      net::posix::stream_descriptor watch(s.get_executor(), efd);  // closes efd
      auto [ec] = co_await watch.async_wait(
          net::posix::stream_descriptor::wait_read,
          asioctx::bind(ctx, net::bind_cancellation_slot(slot, net::as_tuple(net::use_awaitable))));
      co_return !ec;
    }
    ::close(efd);
  }
  co_return co_await wait_socket_error(s, ctx, slot);
}

}  // namespace detail
}  // namespace http
}  // namespace asioctx
