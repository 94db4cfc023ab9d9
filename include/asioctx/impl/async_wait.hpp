// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/impl/async_wait.hpp
//

#ifndef ASIOCTX_IMPL_ASYNC_WAIT_HPP
#define ASIOCTX_IMPL_ASYNC_WAIT_HPP

#include <asioctx/detail/executor.hpp>
#include <asioctx/detail/handler_waiter.hpp>
#include <asioctx/detail/op_pool.hpp>
#include <asioctx/impl/bind.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/error.hpp>

namespace asioctx {
namespace detail {

// A pending wait: completed with the context's error by the tree (fire), with operation_aborted
// by its own cancellation slot, or destroyed unrun by its execution context's shutdown. Holds
// work on the handler's executor while pending.
class wait_op final : public waiter, public handler_waiter<error_code>, public pooled {
 public:
  explicit wait_op(cancel_node* node) noexcept : node_(node) {}

  // Registers the wait; consumes the creation reference (the pending wait's own).
  template <class Handler, class Executor>
  void start(Handler&& h, const Executor& ex, deadline_arm* home) {
    if (!open(std::forward<Handler>(h), ex, waiter_work::tracked)) return;
    watch_slot();
    if (node_ != nullptr && !tree::add_waiter(node_, this, home)) {
      on_detached();
      fire(tree::err(node_));
    }
  }

 private:
  ~wait_op() {
    if (node_ != nullptr) tree::release(node_);
  }

  void destroy() noexcept override { delete this; }
  void unlink() noexcept override {
    if (node_ != nullptr) tree::remove_waiter(node_, this);
  }
  void slot_cancelled() noexcept override { abort(boost::asio::error::operation_aborted); }

  void on_detached() noexcept override { add_ref(); }
  void fire(const error_code& err) noexcept override {
    complete(err);
    release();
  }
  void abandon() noexcept override {}  // never: a wait holds its node

  cancel_node* node_;  // strong; null for a context that is never done
};

struct initiate_context_wait {
  template <class Handler>
  void operator()(Handler&& handler, const context& c) const {
    ASIOCTX_REQUIRE_OWN_EXECUTOR(std::decay_t<Handler>, "asioctx::async_wait",
                                 "asioctx::async_wait(ctx, boost::asio::bind_executor(ex, handler))");
    node* n = access::get(c);
    cancel_node* cn = n != nullptr ? n->canceler() : nullptr;
    auto ex = boost::asio::get_associated_executor(handler);
    if (cn != nullptr) {
      if (error_code err = tree::err(cn)) {
        complete_now(std::forward<Handler>(handler), ex, err);
        return;
      }
    }
    // Nothing could ever complete it: like a pending handler of a destroyed io_context, the
    // handler is destroyed without being called.
    if (cn == nullptr && !boost::asio::get_associated_cancellation_slot(handler).is_connected()) return;
    deadline_arm* home = cn != nullptr ? arm_for(cn, ex) : nullptr;
    auto* op = new wait_op(cn);
    if (cn != nullptr) cn->add_ref();
    op->start(std::forward<Handler>(handler), ex, home);
  }
};

}  // namespace detail

template <class Token>
auto async_wait(const context& c, Token&& token) {
  return boost::asio::async_initiate<Token, void(error_code)>(detail::initiate_context_wait{}, token, c);
}

}  // namespace asioctx

#endif  // ASIOCTX_IMPL_ASYNC_WAIT_HPP
