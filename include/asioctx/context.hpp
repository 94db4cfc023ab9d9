// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/context.hpp
//
// Go's context package for Boost.Asio: a tree of contexts that carry a deadline, a cancellation
// error with a cause, and request-scoped values.
//

#ifndef ASIOCTX_CONTEXT_HPP
#define ASIOCTX_CONTEXT_HPP

#include <asioctx/detail/access.hpp>
#include <asioctx/detail/arm_site.hpp>
#include <asioctx/detail/node.hpp>
#include <asioctx/error.hpp>

#include <boost/assert/source_location.hpp>

#include <chrono>
#include <iosfwd>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace asioctx {

/// The clock every deadline is measured on (the one steady_timer uses).
using clock = std::chrono::steady_clock;

/// A place in the source: where a context was cancelled, or where its deadline was set.
using source_location = boost::source_location;

/// A typed key for context values; its identity is the object's address.
/**
 * Define keys as objects with static storage duration (`inline const key<user> current_user{"user"};`)
 * so every lookup names the same object. Two keys never match each other, whatever their names.
 */
template <class T>
class key {
 public:
  /// Makes a key; name is only used when a context is printed, and must outlive the key.
  constexpr explicit key(const char* name) noexcept : name_(name) {}
  key(const key&) = delete;
  key& operator=(const key&) = delete;

  /// The name given at construction.
  constexpr const char* name() const noexcept { return name_; }

 private:
  const char* name_;
};

/// A node in a cancellation tree: a deadline, a cancellation error and cause, values.
/**
 * A context is an immutable handle: copying it costs one reference-count increment, and every
 * member function may be called from any thread at any time. Contexts are derived from a parent
 * with the `with_*` functions; cancelling a context cancels everything derived from it.
 *
 * A default-constructed context is background(): never done, no deadline, no values.
 */
class context {
 public:
  /// Equivalent to background().
  context() noexcept = default;
  context(const context& other) noexcept : node_(other.node_) {
    if (node_ != nullptr) node_->add_ref();
  }
  context(context&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}
  context& operator=(const context& other) noexcept {
    context(other).swap(*this);
    return *this;
  }
  context& operator=(context&& other) noexcept {
    context(std::move(other)).swap(*this);
    return *this;
  }
  ~context() {
    if (node_ != nullptr) detail::tree::release(node_);  // a moved-from handle: no call
  }

  /// Exchanges the nodes two handles refer to.
  void swap(context& other) noexcept { std::swap(node_, other.node_); }

  /// The effective deadline: the earliest of this context's and its ancestors'; none if unset.
  std::optional<clock::time_point> deadline() const noexcept {
    const detail::cancel_node* c = canceler();
    if (c == nullptr || !c->has_deadline()) return std::nullopt;
    return c->deadline();
  }

  /// `{}` while the context is live; then error::canceled or error::deadline_exceeded, forever.
  /**
   * Reports error::deadline_exceeded as soon as the deadline has passed, whether or not a timer
   * ran, and the answer never depends on whether anyone asked before: a deadline that passed
   * before an ancestor was cancelled wins. Lock-free while the context is live and its deadline
   * has not passed.
   */
  error_code err() const noexcept {
    const detail::cancel_node* c = canceler();
    return c == nullptr ? error_code() : detail::tree::err(c);
  }

  /// True once err() is set.
  bool done() const noexcept {
    const detail::cancel_node* c = canceler();
    return c != nullptr && detail::tree::done(c);
  }

  /// The value stored under k by the nearest with_value; nullptr if there is none.
  /**
   * The pointer stays valid while any context that shares that value is alive.
   */
  template <class T>
  const T* value(const key<T>& k) const noexcept;

 private:
  friend struct detail::access;
  explicit context(detail::node* n) noexcept : node_(n) {}  // adopts one reference

  const detail::cancel_node* canceler() const noexcept {
    return node_ == nullptr ? nullptr : node_->canceler();
  }

  detail::node* node_ = nullptr;
};

/// Prints the chain the way Go's String() does: "background.with_cancel.with_value(user, ...)".
/**
 * A done context is followed by its error and the call site that ended it, e.g.
 * `background.with_cancel [context canceled at server.cpp:42]`.
 */
std::ostream& operator<<(std::ostream& os, const context& c);

/// The root of every tree: never done, no deadline, no values.
inline context background() noexcept { return context(); }

/// A placeholder root for code that has not been given a context yet; behaves as background().
context todo() noexcept;

/// Cancels the context it came with (error::canceled). Copyable, idempotent, thread-safe.
class cancel_func {
 public:
  cancel_func() noexcept = default;
  /// Cancels the context and everything derived from it; later calls do nothing.
  /**
   * `where` is recorded as the context's cancel_site() if this call wins.
   */
  void operator()(const source_location& where = BOOST_CURRENT_LOCATION) const noexcept;

 private:
  friend struct detail::access;
  explicit cancel_func(context ctx) noexcept : ctx_(std::move(ctx)) {}

  context ctx_;
};

/// Cancels the context it came with, recording a cause. Copyable, idempotent, thread-safe.
class cancel_cause_func {
 public:
  cancel_cause_func() noexcept = default;
  /// Cancels with error::canceled and the given cause ({} means error::canceled).
  /**
   * `where` is recorded as the context's cancel_site() if this call wins.
   */
  void operator()(error_code cause = {},
                  const source_location& where = BOOST_CURRENT_LOCATION) const noexcept;

 private:
  friend struct detail::access;
  explicit cancel_cause_func(context ctx) noexcept : ctx_(std::move(ctx)) {}

  context ctx_;
};

/// A derived context with the function that cancels it.
/**
 * `auto [ctx, cancel] = with_cancel(p);` makes both; Go's re-assignment
 * `ctx, cancel = context.WithCancel(ctx)` is `std::tie(ctx, cancel) = with_cancel(ctx);`.
 */
template <class Cancel>
struct derived {
  context ctx;
  Cancel cancel;

  /// For std::tie: assigns the context and the cancel function to the tied variables.
  operator std::tuple<context&, Cancel&>() noexcept { return {ctx, cancel}; }
};

/// A child of parent with its own cancel function.
derived<cancel_func> with_cancel(const context& parent);

/// As with_cancel, but the cancel function records a cause, read back with cause().
derived<cancel_cause_func> with_cancel_cause(const context& parent);

/// A child of parent that is done with error::deadline_exceeded once d passes.
/**
 * If parent's deadline is not later than d, the child keeps the parent's and has no deadline of
 * its own; `time_point::max()` means no deadline. A deadline already past gives a context born
 * done. `where` is reported by cancel_site() if the deadline is what ends the context.
 *
 * The deadline is enforced by the deadline service of the execution context of the first
 * operation or waiter bound to the context (use the executor-first overload to arm it now); it
 * keeps `io_context::run()` from returning only while something waits on it.
 */
derived<cancel_func> with_deadline(const context& parent, clock::time_point d,
                                   const source_location& where = BOOST_CURRENT_LOCATION);

/// with_deadline(parent, clock::now() + t), saturating: `t` is any `std::chrono::duration`; one
/// past `time_point::max()` (as `duration::max()` or 300 years give) means no deadline, never an
/// overflow into the past.
template <class Rep, class Period>
derived<cancel_func> with_timeout(const context& parent, std::chrono::duration<Rep, Period> t,
                                  const source_location& where = BOOST_CURRENT_LOCATION);

/// As with_deadline; when the deadline fires, cause() is `cause` (the cancel function gives canceled).
derived<cancel_func> with_deadline_cause(const context& parent, clock::time_point d, error_code cause,
                                         const source_location& where = BOOST_CURRENT_LOCATION);

/// As with_timeout, with a cause reported when the deadline fires.
template <class Rep, class Period>
derived<cancel_func> with_timeout_cause(const context& parent, std::chrono::duration<Rep, Period> t,
                                        error_code cause,
                                        const source_location& where = BOOST_CURRENT_LOCATION);

/// As with_deadline, and arms the deadline on ex (an executor, or an execution context such as
/// an `io_context`) at once.
/**
 * The armed deadline is pending work on ex's execution context: `io_context::run()` does not
 * return before the deadline unless the context is cancelled (or released) first, just as a
 * pending timer wait. The deadline's timer runs on the execution context's own executor, never
 * on a copy of ex (a strand or a tracked executor is not held). ex is an execution context, an
 * executor with a context() member (every Asio executor), a strand, or an any_io_executor; this
 * header needs none of Asio's for it.
 */
template <class Executor,
          class = std::enable_if_t<detail::is_executor_or_context<std::decay_t<Executor>>::value>>
derived<cancel_func> with_deadline(Executor&& ex, const context& parent, clock::time_point d,
                                   const source_location& where = BOOST_CURRENT_LOCATION);

/// As with_timeout, and arms the deadline on ex (an executor or an execution context) at once.
template <class Executor, class Rep, class Period,
          class = std::enable_if_t<detail::is_executor_or_context<std::decay_t<Executor>>::value>>
derived<cancel_func> with_timeout(Executor&& ex, const context& parent, std::chrono::duration<Rep, Period> t,
                                  const source_location& where = BOOST_CURRENT_LOCATION);

/// A child of parent carrying v under k (the stored value is a T built from v).
template <class T, class V>
context with_value(const context& parent, const key<T>& k, V&& v);

/// A child that keeps parent's values but is never done and has no deadline.
context without_cancel(const context& parent);

/// Why c is done: the cause given to its cancel_cause_func, its deadline cause, or else c.err();
/// `{}` while c is live.
error_code cause(const context& c);

/// Who ended c: the call site of the winning cancel, or where the deadline that ended it was set.
/**
 * `line() == 0` while c is live. Inherited by descendants like the cause: a context cancelled
 * through its parent reports the parent's site.
 */
source_location cancel_site(const context& c);

namespace detail {
class after_func_op;
}  // namespace detail

/// Stops an after_func registration.
class stop_func {
 public:
  stop_func() noexcept = default;
  /// True iff this call prevented the function from running; false if it ran, is running,
  /// or was stopped before.
  bool operator()() const noexcept;

  stop_func(const stop_func& o) noexcept;
  stop_func(stop_func&& o) noexcept : op_(std::exchange(o.op_, nullptr)) {}
  stop_func& operator=(stop_func o) noexcept {
    std::swap(op_, o.op_);
    return *this;
  }
  ~stop_func();

 private:
  friend struct detail::access;
  explicit stop_func(detail::after_func_op* op) noexcept : op_(op) {}

  detail::after_func_op* op_ = nullptr;
};

/// Posts f() to ex once c is done (at once if it already is); f runs at most once.
/**
 * Like Go's AfterFunc. ex is an executor or an execution context (`io_context&`).
 *
 * Declared here; its body, which needs Asio's handler machinery, is in <asioctx/after_func.hpp>:
 * include that header (or <asioctx.hpp>) where after_func is called. A call compiled without it
 * stops at a static_assert that says so.
 *
 * If c has a deadline, the registration waits on it: the deadline is armed on ex's execution
 * context, and `io_context::run()` does not return before it fires unless c is cancelled or the
 * registration stopped. A registration on a context without a deadline is not outstanding work.
 * If ex's execution context has shut down by the time c is done, f is dropped, not posted.
 *
 * @par Thread safety
 * c may be cancelled, and the returned stop_func called, from any thread.
 */
template <class Executor, class F>
stop_func after_func(const context& c, Executor&& ex, F f);

}  // namespace asioctx

#include <asioctx/impl/context.hpp>

#endif  // ASIOCTX_CONTEXT_HPP
