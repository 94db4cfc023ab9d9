// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// asioctx/impl/group.hpp: the bodies of group.hpp (header-only: C++20).
//

#ifndef ASIOCTX_IMPL_GROUP_HPP
#define ASIOCTX_IMPL_GROUP_HPP

#include <asioctx/detail/exception.hpp>
#include <asioctx/detail/executor.hpp>
#include <asioctx/detail/handler_waiter.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/co_spawn.hpp>

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace asioctx {
namespace detail {

// A spawned task not started yet.
struct group_task {
  explicit group_task(const source_location& w) noexcept : where(w) {}
  virtual ~group_task() = default;
  virtual void start() = 0;     // co_spawns it; called once, outside every lock
  const source_location where;  // its spawn call
};

// The group's state, shared with its tasks and waiters so that both outlive the group object.
// Its mutex guards counts and queues only: tasks are started, dropped and waiters completed
// after it is released.
class group_state : public std::enable_shared_from_this<group_state> {
 public:
  using waiter_type = pending_handler<std::exception_ptr>;

  group_state(const context& parent, std::size_t limit, const source_location& born)
      : limit_(limit), born_(born) {
    std::tie(ctx_, cancel_) = with_cancel_cause(parent);
  }

  const context& ctx() const noexcept { return ctx_; }
  void cancel(const error_code& cause, const source_location& where) noexcept { cancel_(cause, where); }
  const source_location& born() const noexcept { return born_; }

  template <class Executor, class F>
  void spawn(Executor&& ex, F&& f, const source_location& where);

  // Stores h until the group is idle, or completes it at once (posted) if it is.
  void wait(waiter_type h) {
    std::exception_ptr result;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (running_ != 0 || !queued_.empty()) {
        waiters_.push_back(std::move(h));
        return;
      }
      result = first_failure_;
    }
    cancel_(error_code(), born_);
    h.complete(std::move(result));
  }

  // A task ended, with e if it failed.
  void finished(std::exception_ptr e, const source_location& where) noexcept {
    if (e) fail(e, where);
    std::unique_ptr<group_task> next;
    std::deque<std::unique_ptr<group_task>> dropped;
    std::vector<waiter_type> done;
    std::exception_ptr result;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --running_;
      if (ctx_.done()) {
        dropped.swap(queued_);  // never started: they count as finished
      } else if (!queued_.empty()) {
        next = std::move(queued_.front());
        queued_.pop_front();
        ++running_;
      }
      if (running_ == 0 && queued_.empty()) {
        done.swap(waiters_);
        result = first_failure_;
      }
    }
    dropped.clear();
    if (next) start(std::move(next));
    if (!done.empty()) {
      cancel_(error_code(), born_);  // as Go's Wait does, before anyone is told
      for (auto& h : done) h.complete(result);
    }
  }

 private:
  void fail(const std::exception_ptr& e, const source_location& where) noexcept {
    const error_code cause = error_code_of(e);  // {}: error::canceled
    bool first = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!first_failure_) {
        first_failure_ = e;
        first = true;
      }
    }
    // Only the first failure cancels, so the context's cause is the failure async_wait reports.
    if (first) cancel_(cause, where);
  }

  void start(std::unique_ptr<group_task> t) noexcept {
    try {
      t->start();
    } catch (...) {  // co_spawn could not even start it: a failed task, at its own spawn call
      finished(std::current_exception(), t->where);
    }
  }

  std::mutex mutex_;
  context ctx_;
  cancel_cause_func cancel_;
  const std::size_t limit_;  // 0: none
  const source_location born_;
  std::size_t running_ = 0;                         // guarded by mutex_
  std::deque<std::unique_ptr<group_task>> queued_;  // guarded by mutex_
  std::vector<waiter_type> waiters_;                // guarded by mutex_
  std::exception_ptr first_failure_;                // guarded by mutex_
};

template <class Executor, class F>
class group_task_impl final : public group_task {
 public:
  template <class G>
  group_task_impl(const Executor& ex, G&& f, std::shared_ptr<group_state> st, const source_location& where)
      : group_task(where), ex_(ex), f_(std::forward<G>(f)), st_(std::move(st)) {}

  void start() override {
    // f is called on ex and lives in the coroutine's function object until its awaitable ends.
    boost::asio::co_spawn(
        ex_, [f = std::move(f_), ctx = st_->ctx()]() mutable { return f(ctx); },
        [st = st_, where = where](std::exception_ptr e) { st->finished(std::move(e), where); });
  }

 private:
  Executor ex_;
  F f_;
  std::shared_ptr<group_state> st_;
};

template <class Executor, class F>
void group_state::spawn(Executor&& ex, F&& f, const source_location& where) {
  auto&& e = executor_of(ex);
  using executor_type = std::decay_t<decltype(e)>;
  std::unique_ptr<group_task> t = std::make_unique<group_task_impl<executor_type, std::decay_t<F>>>(
      e, std::forward<F>(f), shared_from_this(), where);
  bool start_now = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (ctx_.done()) {
      // Dropped, never started: t is destroyed below, outside the lock.
    } else if (limit_ == 0 || running_ < limit_) {
      ++running_;
      start_now = true;
    } else {
      queued_.push_back(std::move(t));
    }
  }
  if (start_now) start(std::move(t));
}

}  // namespace detail

inline group::group(const context& parent, const source_location& where) : group(parent, 0, where) {}

inline group::group(const context& parent, std::size_t limit, const source_location& where)
    : state_(std::make_shared<detail::group_state>(parent, limit, where)) {}

inline group::~group() { state_->cancel(error_code(), state_->born()); }

inline const context& group::get_context() const noexcept { return state_->ctx(); }

inline void group::cancel(const source_location& where) noexcept { state_->cancel(error_code(), where); }

template <class Executor, class F>
void group::spawn(Executor&& ex, F&& f, const source_location& where) {
  state_->spawn(std::forward<Executor>(ex), std::forward<F>(f), where);
}

template <class Token>
auto group::async_wait(Token&& token) {
  return boost::asio::async_initiate<Token, void(std::exception_ptr)>(
      [](auto handler, std::shared_ptr<detail::group_state> st) {
        ASIOCTX_REQUIRE_OWN_EXECUTOR(decltype(handler), "asioctx::group::async_wait",
                                     "g.async_wait(boost::asio::bind_executor(ex, handler))");
        auto ex = boost::asio::get_associated_executor(handler);
        st->wait(detail::pending_handler<std::exception_ptr>(std::move(handler), ex,
                                                             detail::waiter_work::untracked));
      },
      token, state_);
}

}  // namespace asioctx

#endif  // ASIOCTX_IMPL_GROUP_HPP
