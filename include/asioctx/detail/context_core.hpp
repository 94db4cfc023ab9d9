// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/detail/context_core.hpp
//
// What asioctx keeps per execution context (an io_context, a thread_pool...), through an
// execution_context service:
// - the deadline heaps: every deadline somebody waits on, in the heap of one of the core's shards
//   (one per CPU, detail/deadline_shard.hpp), each multiplexed onto one steady_timer armed for its
//   earliest; arming and disarming a deadline is a heap operation, not a reactor call;
// - the waiters that hold a handler or an executor of the context (async_wait, after_func), so
//   that the context's shutdown destroys them as it destroys its own pending handlers, and
//   nothing is posted to it once it has shut down.
// The core outlives the service while deadlines or waiters still refer to it, so contexts may be
// released or cancelled after their io_context is gone.
//

#ifndef ASIOCTX_DETAIL_CONTEXT_CORE_HPP
#define ASIOCTX_DETAIL_CONTEXT_CORE_HPP

#include <asioctx/detail/deadline_shard.hpp>
#include <asioctx/detail/intrusive_list.hpp>
#include <asioctx/detail/node.hpp>
#include <asioctx/detail/spin_mutex.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace asioctx {
namespace detail {

struct registry_tag {};

class context_core;

// A waiter that holds a handler or an executor of an execution context: what it holds is used
// or destroyed either inside an enter()/leave() bracket opened while the context is live, or by
// on_shutdown, while the context's services still exist; never later, on another thread.
// Whoever claims the waiter first (a fire, a stop, its own slot, or the shutdown) ends it.
class registered : public list_hook<registry_tag> {
 public:
  // The execution context shuts down: destroy what the waiter holds (a handler is never
  // invoked) unless a claimer already used it. Called once, with the waiter pinned.
  virtual void on_shutdown() noexcept = 0;
  // Keep the waiter alive while the shutdown holds it.
  virtual void pin() noexcept = 0;
  virtual void unpin() noexcept = 0;

 protected:
  ~registered() = default;

  // True for the first caller only.
  bool claim() noexcept {
    unsigned char s = open;
    return stage_.compare_exchange_strong(s, claimed, std::memory_order_acq_rel);
  }
  // After claim(): runs use() in a bracket if core is live and returns true; else returns false,
  // leaving what the waiter holds to on_shutdown (which is then sure to come).
  template <class Use>
  bool settle(context_core* core, Use use) noexcept;
  // From on_shutdown: what is left to the shutdown. It claims the waiter if nobody has
  // (claimed_now: destroy what it holds, and end it); a claimer that found the context shut
  // down left what it holds (left: destroy that; the claimer ends it); else nothing. It waits
  // for a claimer that has not yet settled.
  enum class shutdown_share { nothing, claimed_now, left };
  shutdown_share take_for_shutdown() noexcept {
    for (;;) {
      unsigned char s = stage_.load(std::memory_order_acquire);
      if (s == open) {
        if (stage_.compare_exchange_weak(s, settled, std::memory_order_acq_rel))
          return shutdown_share::claimed_now;
      } else if (s == claimed) {
        std::this_thread::yield();  // a claimer between claim() and settle(): a few instructions
      } else {
        return s == orphaned ? shutdown_share::left : shutdown_share::nothing;
      }
    }
  }

 private:
  enum : unsigned char { open, claimed, settled, orphaned };
  std::atomic<unsigned char> stage_{open};
};

class context_core {
 public:
  context_core();
  context_core(const context_core&) = delete;
  context_core& operator=(const context_core&) = delete;

  bool dead() const noexcept { return dead_.load(std::memory_order_acquire); }

  // --- Deadline arms: the shard a new arm made on this thread is homed in (the tree calls the
  // shard from then on).
  deadline_shard* shard_here() noexcept;

  // --- Waiters holding handlers of this context.
  // An enrolled waiter is a user of the core until it withdraws, exactly once, whether or not
  // shutdown has taken it meanwhile (shutdown pins what it takes, so the waiter may go on).
  bool enroll(registered* r) noexcept;  // false once the context has shut down
  void withdraw(registered* r) noexcept;
  // Brackets a post or dispatch to the context, or the destruction of a handler of it, from
  // outside it: shutdown waits for every bracket to close. enter() says whether the context is
  // still live; leave() closes the bracket either way.
  bool enter() noexcept;
  void leave() noexcept;

  // The executor the deadline timers run on, set by the first user (strands unwrapped, its
  // outstanding work untracked: a timer holds run() only while it waits).
  bool has_executor() const noexcept { return has_executor_.load(std::memory_order_acquire); }
  void set_executor(const boost::asio::any_io_executor& ex);

  // The idle check: a shard whose heap empties claims it when every shard is empty (true: post
  // on_idle_check, which then runs each shard's).
  bool claim_idle_check() noexcept;
  void on_idle_check() noexcept;

  // Called by the service, and by a shard while it homes arms.
  void shutdown() noexcept;
  void add_user() noexcept;
  void drop_user() noexcept;

 private:
  friend struct access;

  ~context_core();

  bool drop_user_locked() noexcept;

  spin_mutex mutex_;
  std::atomic<bool> dead_{false};
  std::atomic<bool> has_executor_{false};
  std::atomic<std::uint32_t> inflight_{0};
  std::atomic<bool> idle_posted_{false};
  ref_count users_{1};  // the service, the shards homing arms, the enrolled waiters
  intrusive_list<registered, registry_tag> registry_;
  std::size_t registry_size_ = 0;
  std::size_t shard_count_;
  std::unique_ptr<deadline_shard[]> shards_;
};

template <class Use>
bool registered::settle(context_core* core, Use use) noexcept {
  bool live = core->enter();
  if (live) use();
  stage_.store(live ? settled : orphaned, std::memory_order_release);
  core->leave();
  return live;
}

// The core of an execution context, made on first use; cached per thread.
context_core* core_of(boost::asio::execution_context& ctx);

template <class T, class = void>
struct has_inner_executor : std::false_type {};
template <class T>
struct has_inner_executor<T, std::void_t<decltype(std::declval<const T&>().get_inner_executor())>>
    : std::true_type {};

// The executor under any strands: where the deadline timer runs.
template <class Executor>
auto unstranded(const Executor& ex) {
  if constexpr (has_inner_executor<Executor>::value)
    return unstranded(ex.get_inner_executor());
  else
    return ex;
}

template <class Executor>
context_core* core_of_executor(const Executor& ex) {
  context_core* core = core_of(boost::asio::query(ex, boost::asio::execution::context));
  if (!core->has_executor()) {
    // The service keeps no work of the user's: a tracked executor would hold run() forever.
    core->set_executor(boost::asio::any_io_executor(
        boost::asio::prefer(unstranded(ex), boost::asio::execution::outstanding_work.untracked)));
  }
  return core;
}

// Where a waiter on c that completes on ex demands c's deadline: the arm of ex's execution
// context; null when c has no deadline.
template <class Executor>
deadline_arm* arm_for(const cancel_node* c, const Executor& ex) {
  return c->has_deadline() ? tree::arm(c, core_of_executor(ex)) : nullptr;
}

// Accepts an executor or an execution context (io_context&), as Asio's own functions do.
template <class T>
decltype(auto) executor_of(T& t) {
  if constexpr (std::is_convertible_v<T&, boost::asio::execution_context&>)
    return t.get_executor();
  else
    return (t);
}

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_CONTEXT_CORE_HPP
