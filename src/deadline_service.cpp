// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/deadline_service.cpp: what asioctx keeps per execution context (detail/context_core.hpp).
//
// The deadline heap holds every deadline something waits on; one steady_timer is armed for the
// earliest. Arming a later deadline is a heap push; removing one is a heap erase, and the timer is
// left as it is: if it fires early it finds nothing due and re-arms. Only a deadline earlier than
// the pending wait moves the timer. When the heap empties, an idle check is posted rather than
// cancelling at once, so a request that binds one operation after another does not cancel and
// re-arm the timer each time; the check cancels the wait if the heap is still empty, so `run()`
// returns once nothing waits on a deadline.
//
// The timer is never touched under the spin lock: whoever holds token_ may call into it, and
// anyone who finds the token taken leaves the change to the holder, who re-reads the heap after
// every call it makes.
//

#include <asioctx/detail/context_core.hpp>

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/post.hpp>

#include <thread>

namespace asioctx {
namespace detail {

namespace net = boost::asio;

class deadline_timer_state {
 public:
  explicit deadline_timer_state(const net::any_io_executor& ex) : ex(ex), timer(ex) {}

  net::any_io_executor ex;
  net::basic_waitable_timer<clock, net::wait_traits<clock>, net::any_io_executor> timer;
};

// Both handlers run only while the execution context runs, so the core is alive; destroyed
// without running at shutdown, they touch nothing.
struct context_core::timer_handler {
  context_core* core;
  std::uint64_t gen;
  void operator()(const error_code&) const { core->on_timer(gen); }
};

struct context_core::idle_handler {
  context_core* core;
  void operator()() const { core->on_idle_check(); }
};

namespace {

using unique_lock = std::unique_lock<spin_mutex>;
constexpr clock::time_point never = clock::time_point::max();

// Bumped whenever a service shuts down, so no thread's cached core outlives its context.
std::atomic<std::uint64_t> generation{1};

class deadline_service final : public net::execution_context::service {
 public:
  static net::execution_context::id id;

  explicit deadline_service(net::execution_context& ctx)
      : net::execution_context::service(ctx), core_(new context_core) {}
  ~deadline_service() override { core_->drop_user(); }

  context_core* core() const noexcept { return core_; }

 private:
  void shutdown() override {
    generation.fetch_add(1, std::memory_order_acq_rel);
    core_->shutdown();
  }

  context_core* core_;
};

net::execution_context::id deadline_service::id;

struct core_cache {
  const net::execution_context* ctx = nullptr;
  context_core* core = nullptr;
  std::uint64_t gen = 0;
};
thread_local core_cache cache;

}  // namespace

context_core* core_of(net::execution_context& ctx) {
  std::uint64_t g = generation.load(std::memory_order_acquire);
  if (cache.ctx == &ctx && cache.gen == g) return cache.core;
  context_core* core = net::use_service<deadline_service>(ctx).core();
  cache = core_cache{&ctx, core, g};
  return core;
}

context_core::~context_core() = default;

void context_core::set_executor(const net::any_io_executor& ex) {
  auto state = std::make_unique<deadline_timer_state>(ex);  // outside the lock: it makes a timer
  unique_lock lock(mutex_);
  if (!timer_ && !dead()) std::swap(timer_, state);
  has_executor_.store(true, std::memory_order_release);
  lock.unlock();
  // An unused state is destroyed here, outside the lock.
}

// ---------------------------------------------------------------------------------------------
// Users: the core is freed when the service is gone and nothing refers to it any more.

void context_core::add_user() noexcept {
  unique_lock lock(mutex_);
  users_.add();
}

bool context_core::drop_user_locked() noexcept { return users_.release(); }

void context_core::drop_user() noexcept {
  unique_lock lock(mutex_);
  bool last = drop_user_locked();
  lock.unlock();
  if (last) delete this;
}

bool context_core::try_add_user() noexcept {
  unique_lock lock(mutex_);
  if (dead()) return false;
  users_.add();
  return true;
}

// ---------------------------------------------------------------------------------------------
// The heap

void context_core::sift_up(std::size_t i) noexcept {
  deadline_arm* a = heap_[i];
  while (i > 0) {
    std::size_t p = (i - 1) / 2;
    if (heap_[p]->when <= a->when) break;
    heap_[i] = heap_[p];
    heap_[i]->heap_index = static_cast<std::uint32_t>(i);
    i = p;
  }
  heap_[i] = a;
  a->heap_index = static_cast<std::uint32_t>(i);
}

void context_core::sift_down(std::size_t i) noexcept {
  deadline_arm* a = heap_[i];
  const std::size_t size = heap_.size();
  for (;;) {
    std::size_t c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && heap_[c + 1]->when < heap_[c]->when) ++c;
    if (a->when <= heap_[c]->when) break;
    heap_[i] = heap_[c];
    heap_[i]->heap_index = static_cast<std::uint32_t>(i);
    i = c;
  }
  heap_[i] = a;
  a->heap_index = static_cast<std::uint32_t>(i);
}

void context_core::push(deadline_arm* a) {
  heap_.push_back(a);
  sift_up(heap_.size() - 1);
}

void context_core::erase(deadline_arm* a) noexcept {
  std::size_t i = a->heap_index;
  a->heap_index = deadline_arm::not_in_heap;
  deadline_arm* last = heap_.back();
  heap_.pop_back();
  if (heap_.empty() && heap_.capacity() > 1024) std::vector<deadline_arm*>().swap(heap_);  // a burst is over
  if (i == heap_.size()) return;
  heap_[i] = last;
  last->heap_index = static_cast<std::uint32_t>(i);
  sift_up(i);
  sift_down(last->heap_index);
}

void context_core::activate(deadline_arm* a) noexcept {
  unique_lock lock(mutex_);
  if (dead() || !timer_ || a->heap_index != deadline_arm::not_in_heap) return;
  // Rechecked under the lock: demand changes outside it, and a done deadline never enters.
  if (a->node->state() != 0 || a->demand.load(std::memory_order_seq_cst) <= 0) return;
  try {
    push(a);
  } catch (...) {
    return;  // no memory for the heap: the deadline is still reported by err(), just not fired
  }
  if (heap_.front() == a && a->when < armed_) kick_locked(lock);
}

void context_core::deactivate(deadline_arm* a) noexcept {
  unique_lock lock(mutex_);
  if (a->demand.load(std::memory_order_seq_cst) > 0 || a->heap_index == deadline_arm::not_in_heap) return;
  erase(a);
  if (heap_.empty() && armed_ != never) kick_locked(lock);
}

void context_core::remove(deadline_arm* a) noexcept {
  unique_lock lock(mutex_);
  if (a->heap_index == deadline_arm::not_in_heap) return;
  erase(a);
  if (heap_.empty() && armed_ != never) kick_locked(lock);
}

void context_core::release_arm(deadline_arm* a) noexcept {
  unique_lock lock(mutex_);
  if (a->heap_index != deadline_arm::not_in_heap) {
    erase(a);
    if (heap_.empty() && armed_ != never) kick_locked(lock);
  }
  bool last = drop_user_locked();
  lock.unlock();
  if (last) delete this;
}

// ---------------------------------------------------------------------------------------------
// The timer

void context_core::kick_locked(unique_lock& lock) noexcept {
  if (token_) return;  // the holder re-reads the heap after its call
  token_ = true;
  run_token(lock);
}

void context_core::run_token(unique_lock& lock) noexcept {
  for (;;) {
    if (dead() || !timer_) break;
    clock::time_point want = heap_.empty() ? never : heap_.front()->when;
    if (want < armed_) {
      armed_ = want;
      std::uint64_t gen = ++gen_;
      lock.unlock();
      try {
        timer_->timer.expires_at(want);  // also aborts a pending wait
        timer_->timer.async_wait(timer_handler{this, gen});
      } catch (...) {
        // Out of memory in the reactor: leave armed_ set so nothing loops; err() still answers.
      }
      lock.lock();
      continue;
    }
    if (want == never && armed_ != never && !idle_posted_) {
      idle_posted_ = true;
      lock.unlock();
      try {
        net::post(timer_->ex, idle_handler{this});
      } catch (...) {
      }
      lock.lock();
      continue;
    }
    break;
  }
  token_ = false;
}

void context_core::on_timer(std::uint64_t gen) noexcept {
  {
    unique_lock lock(mutex_);
    if (gen == gen_) armed_ = never;  // this was the pending wait
  }
  // Every due deadline, one at a time; the timer is re-armed for the next once none is left.
  for (;;) {
    deadline_node* due = nullptr;
    {
      unique_lock lock(mutex_);
      if (heap_.empty() || heap_.front()->when > clock::now()) {
        kick_locked(lock);
        return;
      }
      deadline_arm* a = heap_.front();
      erase(a);
      due = a->node;
      if (!due->try_add_ref()) continue;  // being destroyed (it releases the arm under this lock)
    }
    tree::expire(due);
    tree::release(due);
  }
}

void context_core::on_idle_check() noexcept {
  unique_lock lock(mutex_);
  idle_posted_ = false;
  if (token_ || !heap_.empty() || armed_ == never || dead()) return;
  token_ = true;
  armed_ = never;
  ++gen_;
  lock.unlock();
  try {
    timer_->timer.cancel();
  } catch (...) {
  }
  lock.lock();
  run_token(lock);
}

// ---------------------------------------------------------------------------------------------
// Shutdown

void context_core::shutdown() noexcept {
  unique_lock lock(mutex_);
  dead_.store(true, std::memory_order_seq_cst);
  while (token_) {  // a call into the timer is under way on another thread
    lock.unlock();
    std::this_thread::yield();
    lock.lock();
  }
  for (deadline_arm* a : heap_) a->heap_index = deadline_arm::not_in_heap;
  std::vector<deadline_arm*>().swap(heap_);
  // Each keeps its user until it withdraws, which on_shutdown (or a racing claimer) makes it do;
  // each is pinned, so a claimer racing the shutdown may end it without freeing it under us.
  intrusive_list<registered, registry_tag> enrolled = std::move(registry_);
  registry_size_ = 0;
  for (registered* r = enrolled.front(); r != nullptr; r = enrolled.next(r)) r->pin();
  std::unique_ptr<deadline_timer_state> timer = std::move(timer_);
  armed_ = never;
  lock.unlock();
  while (inflight_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
  timer.reset();  // while the execution context's services still exist
  while (registered* r = enrolled.pop_front()) {
    r->on_shutdown();
    r->unpin();
  }
}

}  // namespace detail
}  // namespace asioctx
