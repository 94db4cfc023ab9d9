// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/impl/async_wait.hpp
//

#ifndef ASIOCTX_IMPL_ASYNC_WAIT_HPP
#define ASIOCTX_IMPL_ASYNC_WAIT_HPP

#include <asioctx/detail/context_core.hpp>
#include <asioctx/detail/executor.hpp>
#include <asioctx/impl/bind.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>

#include <atomic>
#include <optional>

namespace asioctx {
namespace detail {

template <class Handler>
using tracked_executor_t =
    std::decay_t<decltype(boost::asio::prefer(boost::asio::get_associated_executor(std::declval<Handler&>()),
                                              boost::asio::execution::outstanding_work.tracked))>;

// A pending wait, completed once: by the context (fire), by its own cancellation slot, or by its
// execution context's shutdown (which destroys the handler), whichever claims it first. Holds
// work on the handler's executor while pending.
template <class Handler>
class wait_op final : public waiter, public registered, public pooled {
 public:
  template <class H>
  wait_op(H&& h, cancel_node* node, context_core* core)
      : handler_(std::forward<H>(h)),
        work_(boost::asio::prefer(boost::asio::get_associated_executor(*handler_),
                                  boost::asio::execution::outstanding_work.tracked)),
        node_(node),
        core_(core) {}

  // Registers the wait; consumes the creation reference (the pending wait's own).
  void start(deadline_arm* home) noexcept {
    auto slot = boost::asio::get_associated_cancellation_slot(*handler_);
    if (node_ == nullptr && !slot.is_connected()) {
      // Nothing can ever complete it: like a pending handler of a destroyed io_context, the
      // handler is destroyed without being called.
      abandon_now();
      return;
    }
    if (!core_->enroll(this)) {  // the execution context has shut down
      abandon_now();
      return;
    }
    if (slot.is_connected()) {
      refs_.add();
      slot.template emplace<slot_handler>(this);
    }
    if (node_ != nullptr && !tree::add_waiter(node_, this, home)) {
      on_detached();
      fire(tree::err(node_));
    }
  }

 private:
  struct slot_handler {
    wait_op* op;
    explicit slot_handler(wait_op* o) noexcept : op(o) {}
    slot_handler(const slot_handler&) = delete;
    slot_handler& operator=(const slot_handler&) = delete;
    ~slot_handler() { op->release(); }
    void operator()(boost::asio::cancellation_type) const noexcept { op->cancel_from_slot(); }
  };

  // Runs the handler on its executor; destroyed unrun (its context shut down), drops it.
  struct invoke_fn {
    wait_op* op;
    error_code err;
    invoke_fn(wait_op* o, error_code e) noexcept : op(o), err(e) { op->refs_.add(); }
    invoke_fn(invoke_fn&& o) noexcept : op(std::exchange(o.op, nullptr)), err(o.err) {}
    invoke_fn& operator=(invoke_fn&&) = delete;
    ~invoke_fn() {
      if (op == nullptr) return;
      op->drop();
      op->release();
    }
    void operator()() {
      wait_op* self = std::exchange(op, nullptr);
      self->invoke(err);
      self->release();
    }
  };

  void release() noexcept {
    if (refs_.release()) delete this;
  }
  void pin() noexcept override { refs_.add(); }
  void unpin() noexcept override { release(); }

  void on_detached() noexcept override { refs_.add(); }
  void fire(const error_code& err) noexcept override {
    if (claim()) deliver(err);
    release();
  }
  void abandon() noexcept override {}  // never: a wait holds its node
  void on_shutdown() noexcept override {
    switch (take_for_shutdown()) {
      case shutdown_share::claimed_now:
        if (node_ != nullptr) tree::remove_waiter(node_, this);
        drop();
        break;
      case shutdown_share::left:  // the claimer ended the wait
        destroy_handler();
        break;
      case shutdown_share::nothing:  // a claimer handed the handler to its executor
        break;
    }
  }

  // Runs on the handler's executor (the slot's emitter's).
  void cancel_from_slot() noexcept {
    if (!claim()) return;
    if (node_ != nullptr) tree::remove_waiter(node_, this);
    deliver(boost::asio::error::operation_aborted);
  }

  // Claimed: hands the handler to its executor, or, if the execution context has shut down,
  // leaves it to on_shutdown and ends the wait.
  void deliver(const error_code& err) noexcept {
    bool live = settle(core_, [&] {
      try {
        boost::asio::dispatch(*work_, invoke_fn(this, err));
      } catch (...) {
        // Out of memory: the invoke_fn dropped the handler.
      }
    });
    if (!live) end();
  }

  void clear_slot() noexcept {
    auto slot = boost::asio::get_associated_cancellation_slot(*handler_);
    if (slot.is_connected()) slot.clear();
  }

  // Claimed: destroys the handler without calling it, and ends the wait.
  void drop() noexcept {
    if (!handler_) return;
    destroy_handler();
    end();
  }
  void destroy_handler() noexcept {
    if (!handler_) return;
    clear_slot();
    handler_.reset();
    work_.reset();
  }
  void end() noexcept {
    core_->withdraw(this);
    release();  // the pending wait's
  }

  void abandon_now() noexcept {
    handler_.reset();
    work_.reset();
    release();
  }

  void invoke(const error_code& err) {
    clear_slot();
    Handler h(std::move(*handler_));
    handler_.reset();
    work_.reset();
    core_->withdraw(this);
    release();  // the pending wait's; the invoke_fn still holds one
    std::move(h)(err);
  }

  ~wait_op() {
    if (node_ != nullptr) tree::release(node_);
  }

  std::optional<Handler> handler_;
  std::optional<tracked_executor_t<Handler>> work_;
  cancel_node* node_;  // strong; null for a context that is never done
  context_core* core_;
  ref_count refs_{1};
};

struct initiate_context_wait {
  template <class Handler>
  void operator()(Handler&& handler, const context& c) const {
    ASIOCTX_REQUIRE_OWN_EXECUTOR(std::decay_t<Handler>, "asioctx::async_wait",
                                 "asioctx::async_wait(ctx, boost::asio::bind_executor(ex, handler))");
    using handler_type = std::decay_t<Handler>;
    node* n = access::get(c);
    cancel_node* cn = n != nullptr ? n->canceler() : nullptr;
    auto ex = boost::asio::get_associated_executor(handler);
    if (cn != nullptr) {
      if (error_code err = tree::err(cn)) {
        complete_now(std::forward<Handler>(handler), ex, err);
        return;
      }
    }
    context_core* core = core_of_executor(ex);
    deadline_arm* home = cn != nullptr ? arm_for(cn, ex) : nullptr;
    auto* op = new wait_op<handler_type>(std::forward<Handler>(handler), cn, core);
    if (cn != nullptr) cn->add_ref();  // after construction: nothing leaks if it throws
    op->start(home);
  }
};

}  // namespace detail

template <class Token>
auto async_wait(const context& c, Token&& token) {
  return boost::asio::async_initiate<Token, void(error_code)>(detail::initiate_context_wait{}, token, c);
}

}  // namespace asioctx

#endif  // ASIOCTX_IMPL_ASYNC_WAIT_HPP
