// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The back's slots: at most N requests work at once (a database pool's connections); the others
// wait in arrival order, each wait bound to its request's context. One thread.
#ifndef ASIOCTX_BENCH_CHAIN_SLOTS_HPP
#define ASIOCTX_BENCH_CHAIN_SLOTS_HPP

#include <asioctx/bind.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <deque>
#include <memory>

namespace chain {

namespace net = boost::asio;

class slots {
 public:
  slots(net::any_io_executor ex, std::size_t n) : ex_(std::move(ex)), free_(n) {}

  // Takes a slot, waiting while none is free; false if ctx ended first (no slot taken).
  net::awaitable<bool> acquire(const asioctx::context& ctx) {
    if (ctx.done()) co_return false;
    if (free_ > 0 && waiting_ == 0) {
      --free_;
      co_return true;
    }
    auto w = std::make_shared<waiter>(ex_);
    queue_.push_back(w);
    ++waiting_;
    co_await w->timer.async_wait(asioctx::bind(ctx, net::as_tuple(net::use_awaitable)));
    if (!w->granted) {  // ctx ended first: release() skips this waiter
      w->abandoned = true;
      --waiting_;
      co_return false;
    }
    if (ctx.done()) {  // granted as ctx ended: pass the slot on
      release();
      co_return false;
    }
    co_return true;
  }

  // Gives a slot back: to the longest waiter still waiting, else to the free count.
  void release() {
    while (!queue_.empty()) {
      auto w = std::move(queue_.front());
      queue_.pop_front();
      if (w->abandoned) continue;
      w->granted = true;
      --waiting_;
      w->timer.cancel();
      return;
    }
    ++free_;
  }

  std::size_t waiting() const noexcept { return waiting_; }

 private:
  struct waiter {
    explicit waiter(const net::any_io_executor& ex) : timer(ex, net::steady_timer::time_point::max()) {}
    net::steady_timer timer;
    bool granted = false;
    bool abandoned = false;
  };

  net::any_io_executor ex_;
  std::size_t free_;
  std::size_t waiting_ = 0;
  std::deque<std::shared_ptr<waiter>> queue_;
};

}  // namespace chain

#endif  // ASIOCTX_BENCH_CHAIN_SLOTS_HPP
