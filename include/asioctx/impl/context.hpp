// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/impl/context.hpp: template bodies of context.hpp.
//

#ifndef ASIOCTX_IMPL_CONTEXT_HPP
#define ASIOCTX_IMPL_CONTEXT_HPP

#include <asioctx/detail/chrono.hpp>
#include <asioctx/detail/context_core.hpp>

#include <boost/asio/execution/executor.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/is_executor.hpp>
#include <boost/asio/post.hpp>

#include <ostream>
#include <type_traits>

namespace asioctx {
namespace detail {

template <class T>
struct is_executor_or_context
    : std::bool_constant<boost::asio::execution::is_executor<T>::value ||
                         boost::asio::is_executor<T>::value ||
                         std::is_convertible_v<T&, boost::asio::execution_context&>> {};

// An after_func registration. It is fired by the tree, stopped by a stop_func, or dropped by its
// execution context's shutdown: whichever claims it first.
class after_func_base : public waiter, public registered, public pooled {
 public:
  after_func_base(cancel_node* c, context_core* core) noexcept : core_(core), node_(c) {}

  void add_ref() noexcept { refs_.add(); }
  void release() noexcept {
    if (refs_.release()) destroy();
  }

  bool stop() noexcept {
    if (!claim()) return false;
    if (node_ != nullptr) {
      if (core_ != nullptr)
        settle(core_, [this] { drop(); });  // shut down: left to on_shutdown
      else
        drop();
      finish();
    }
    return true;
  }

  // Registers with the context; fires at once if it is done already. Holds one reference for
  // the registration until it is claimed.
  void start() noexcept {
    if (node_ == nullptr) {  // never done: f can never run, so nothing of it is kept
      drop();
      release();
      return;
    }
    if (!core_->enroll(this)) core_ = nullptr;
    if (!tree::add_waiter(node_, this, home_)) {
      add_ref();
      fire(tree::err(node_));
    }
  }

 protected:
  virtual ~after_func_base() {
    if (node_ != nullptr) tree::release(node_);
  }
  virtual void destroy() noexcept = 0;
  virtual void post() noexcept = 0;  // posts f, then lets go of the executor; called once
  virtual void drop() noexcept = 0;  // destroys f without calling it, and the executor

  deadline_arm* home_ = nullptr;  // where it demands the deadline, if it has one
  context_core* core_;            // ex's execution context; null once it cannot be posted to

 private:
  // Claimed: out of every list, and the registration's reference dropped.
  void finish() noexcept {
    if (node_ != nullptr) tree::remove_waiter(node_, this);
    if (core_ != nullptr) core_->withdraw(this);
    release();
  }

  void on_detached() noexcept override { add_ref(); }
  void fire(const error_code&) noexcept override {
    if (claim()) {
      // Shut down: f and the executor are left to on_shutdown.
      if (core_ != nullptr)
        settle(core_, [this] { post(); });
      else
        drop();
      finish();
    }
    release();
  }
  void abandon() noexcept override {}  // never: a registration holds its node
  void pin() noexcept override { add_ref(); }
  void unpin() noexcept override { release(); }
  void on_shutdown() noexcept override {
    switch (take_for_shutdown()) {
      case shutdown_share::claimed_now:
        drop();
        finish();
        break;
      case shutdown_share::left:  // the claimer finished the registration
        drop();
        break;
      case shutdown_share::nothing:
        break;
    }
  }

  ref_count refs_{2};  // the stop_func's and the registration's
  cancel_node* node_;  // strong: a registration keeps its context linked, as in Go
};

template <class Executor, class F>
class after_func_op final : public after_func_base {
 public:
  after_func_op(cancel_node* c, const Executor& ex, F&& f)
      : after_func_base(c, c != nullptr ? core_of_executor(ex) : nullptr), ex_(ex), f_(std::move(f)) {
    if (c != nullptr) home_ = arm_for(c, ex);
  }

 private:
  void destroy() noexcept override { delete this; }
  void post() noexcept override {
    try {
      boost::asio::post(*ex_, std::move(*f_));
    } catch (...) {
      // Out of memory: f is dropped, as when the context has shut down.
    }
    drop();
  }
  void drop() noexcept override {
    f_.reset();
    ex_.reset();  // a strand's copy must go while its execution context exists
  }

  std::optional<Executor> ex_;
  std::optional<F> f_;
};

}  // namespace detail

template <class T>
const T* context::value(const key<T>& k) const noexcept {
  for (const detail::node* n = node_; n != nullptr; n = n->parent()) {
    if (n->kind() == detail::node_kind::value) {
      auto* v = static_cast<const detail::value_node_base*>(n);
      if (v->key() == &k) return static_cast<const T*>(v->value());
    }
  }
  return nullptr;
}

template <class T, class V>
context with_value(const context& parent, const key<T>& k, V&& v) {
  detail::node* p = detail::access::get(parent);
  auto* n = new detail::value_node<T>(p, &k, k.name(), std::forward<V>(v));
  if (p != nullptr) p->add_ref();  // after construction, so a throwing T leaks nothing
  return detail::access::make<context>(static_cast<detail::node*>(n));
}

namespace detail {
// The executor-first forms: the deadline is waited on from now, on ex's execution context.
template <class Executor>
derived<cancel_func> armed_at_once(derived<cancel_func> r, Executor& ex) {
  if (cancel_node* c = access::get(r.ctx)->canceler()) {
    auto&& e = executor_of(ex);
    tree::pin(c, arm_for(c, e));
  }
  return r;
}
}  // namespace detail

template <class Executor, class>
derived<cancel_func> with_deadline(Executor&& ex, const context& parent, clock::time_point d,
                                   const source_location& where) {
  return detail::armed_at_once(with_deadline(parent, d, where), ex);
}

template <class Rep, class Period>
derived<cancel_func> with_timeout(const context& parent, std::chrono::duration<Rep, Period> t,
                                  const source_location& where) {
  return with_deadline_cause(parent, detail::saturating_add(clock::now(), t), error_code(), where);
}

template <class Rep, class Period>
derived<cancel_func> with_timeout_cause(const context& parent, std::chrono::duration<Rep, Period> t,
                                        error_code cause, const source_location& where) {
  return with_deadline_cause(parent, detail::saturating_add(clock::now(), t), cause, where);
}

template <class Executor, class Rep, class Period, class>
derived<cancel_func> with_timeout(Executor&& ex, const context& parent, std::chrono::duration<Rep, Period> t,
                                  const source_location& where) {
  return detail::armed_at_once(with_timeout(parent, t, where), ex);
}

template <class Executor, class F>
stop_func after_func(const context& c, Executor&& ex, F f) {
  detail::node* n = detail::access::get(c);
  detail::cancel_node* cn = n != nullptr ? n->canceler() : nullptr;
  auto&& e = detail::executor_of(ex);
  using executor_type = std::decay_t<decltype(e)>;
  auto* op = new detail::after_func_op<executor_type, F>(cn, e, std::move(f));
  if (cn != nullptr) cn->add_ref();  // the registration's, after construction: nothing leaks if it throws
  op->start();
  return detail::access::make<stop_func>(static_cast<detail::after_func_base*>(op));
}

inline stop_func::stop_func(const stop_func& o) noexcept : op_(o.op_) {
  if (op_ != nullptr) op_->add_ref();
}

inline stop_func::~stop_func() {
  if (op_ != nullptr) op_->release();
}

inline bool stop_func::operator()() const noexcept { return op_ != nullptr && op_->stop(); }

}  // namespace asioctx

#endif  // ASIOCTX_IMPL_CONTEXT_HPP
