// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/impl/after_func.hpp: template bodies of after_func.hpp.
//

#ifndef ASIOCTX_IMPL_AFTER_FUNC_HPP
#define ASIOCTX_IMPL_AFTER_FUNC_HPP

#include <asioctx/context.hpp>
#include <asioctx/detail/context_core.hpp>
#include <asioctx/detail/handler_waiter.hpp>
#include <asioctx/detail/op_pool.hpp>

#include <boost/asio/associated_executor.hpp>

#include <type_traits>

namespace asioctx {
namespace detail {

// An after_func registration: f, as a handler of the executor given, posted when the tree fires
// it, discarded by its stop_func, or destroyed unrun by its execution context's shutdown.
class after_func_op final : public waiter, public handler_waiter<>, public pooled {
 public:
  // A registration on a context that is never done keeps nothing: it only says, once, that it
  // was stopped. Otherwise it holds the stop_func's reference and the pending one.
  explicit after_func_op(cancel_node* c) noexcept : handler_waiter(c != nullptr ? 2 : 1), node_(c) {}

  // f runs on ex; home is where the registration demands the deadline.
  template <class Executor, class F>
  void start(const Executor& ex, F&& f, deadline_arm* home) {
    if (node_ == nullptr) return;
    if (!open(std::forward<F>(f), ex, waiter_work::untracked)) return;
    if (!tree::add_waiter(node_, this, home)) {
      on_detached();
      fire(tree::err(node_));
    }
  }

  bool stop() noexcept { return node_ != nullptr ? discard() : claim(); }

 private:
  ~after_func_op() {
    if (node_ != nullptr) tree::release(node_);
  }

  void destroy() noexcept override { delete this; }
  void unlink() noexcept override { tree::remove_waiter(node_, this); }

  void on_detached() noexcept override { add_ref(); }
  void fire(const error_code&) noexcept override {
    complete();
    release();
  }
  void abandon() noexcept override {}  // never: a registration holds its node

  cancel_node* node_;  // strong: a registration keeps its context linked, as in Go
};

// What after_func(c, ex, f) runs (found by argument-dependent lookup: impl/context.hpp).
template <class Executor, class F>
stop_func start_after_func(after_func_tag, const context& c, Executor& ex, F& f) {
  node* n = access::get(c);
  cancel_node* cn = n != nullptr ? n->canceler() : nullptr;
  auto fex = boost::asio::get_associated_executor(f, executor_of(ex));  // f's own, else ex
  deadline_arm* home = cn != nullptr ? arm_for(cn, fex) : nullptr;
  auto* op = new after_func_op(cn);
  if (cn != nullptr) cn->add_ref();
  auto stop = access::make<stop_func>(op);  // the stop_func's reference, whatever follows
  op->start(fex, std::move(f), home);
  return stop;
}

}  // namespace detail

}  // namespace asioctx

#endif  // ASIOCTX_IMPL_AFTER_FUNC_HPP
