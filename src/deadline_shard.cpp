// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/deadline_shard.cpp: one shard of an execution context's deadlines (detail/deadline_shard.hpp).
//
// The heap holds every deadline arm homed here that something waits on; one steady_timer is armed
// for the earliest. Arming a later deadline is a heap push; removing one is a heap erase, and the
// timer is left as it is: if it fires early it finds nothing due and re-arms. Only a deadline
// earlier than the pending wait moves the timer. When the heap empties, the wait is left pending:
// once every shard of the core is empty, an idle check is posted (one for the core), which
// cancels each shard's wait whose heap is still empty, so `run()` returns once nothing waits on a
// deadline. A request that binds one operation after another does not cancel and re-arm the timer
// each time, and neither does a thread whose shard empties while another shard still waits: that
// shard's pending wait holds `run()` anyway.
//
// The timer is never touched under the spin lock: whoever holds token_ may call into it, and
// anyone who finds the token taken leaves the change to the holder, who re-reads the heap after
// every call it makes.
//

#include <asioctx/detail/context_core.hpp>
#include <asioctx/detail/deadline_shard.hpp>

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

// Both handlers run only while the execution context runs, so the core and its shards are alive;
// destroyed without running at shutdown, they touch nothing.
struct deadline_shard::timer_handler {
  deadline_shard* shard;
  std::uint64_t gen;
  void operator()(const error_code&) const { shard->on_timer(gen); }
};

struct deadline_shard::idle_handler {
  context_core* core;
  void operator()() const { core->on_idle_check(); }
};

namespace {
constexpr clock::time_point never = clock::time_point::max();
}  // namespace

deadline_shard::deadline_shard() noexcept = default;
deadline_shard::~deadline_shard() = default;

bool deadline_shard::dead() const noexcept { return core_->dead(); }

void deadline_shard::install(const net::any_io_executor& ex) {
  auto state = std::make_unique<deadline_timer_state>(ex);  // outside the lock: it makes a timer
  unique_lock lock(mutex_);
  if (!timer_ && !dead()) std::swap(timer_, state);
  lock.unlock();
  // An unused state is destroyed here, outside the lock.
}

// ---------------------------------------------------------------------------------------------
// Arms homed here

bool deadline_shard::try_add_arm() noexcept {
  unique_lock lock(mutex_);
  if (dead()) return false;
  if (arms_++ == 0) core_->add_user();
  return true;
}

void deadline_shard::release_arm(deadline_arm* a) noexcept {
  unique_lock lock(mutex_);
  if (a != nullptr && a->heap_index != deadline_arm::not_in_heap) erase_and_kick(a, lock);
  context_core* core = core_;
  bool last = --arms_ == 0;
  lock.unlock();
  if (last) core->drop_user();  // may free the core and this shard with it
}

// ---------------------------------------------------------------------------------------------
// The heap

void deadline_shard::sift_up(std::size_t i) noexcept {
  deadline_arm* a = heap_[i];
  const clock::time_point when = a->when();
  while (i > 0) {
    std::size_t p = (i - 1) / 2;
    if (heap_[p]->when() <= when) break;
    heap_[i] = heap_[p];
    heap_[i]->heap_index = static_cast<std::uint32_t>(i);
    i = p;
  }
  heap_[i] = a;
  a->heap_index = static_cast<std::uint32_t>(i);
}

void deadline_shard::sift_down(std::size_t i) noexcept {
  deadline_arm* a = heap_[i];
  const clock::time_point when = a->when();
  const std::size_t size = heap_.size();
  for (;;) {
    std::size_t c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && heap_[c + 1]->when() < heap_[c]->when()) ++c;
    if (when <= heap_[c]->when()) break;
    heap_[i] = heap_[c];
    heap_[i]->heap_index = static_cast<std::uint32_t>(i);
    i = c;
  }
  heap_[i] = a;
  a->heap_index = static_cast<std::uint32_t>(i);
}

void deadline_shard::push(deadline_arm* a) {
  heap_.push_back(a);
  sift_up(heap_.size() - 1);
  if (heap_.size() == 1) {
    occupied_.store(true, std::memory_order_seq_cst);
    idle_noted_ = false;
  }
}

void deadline_shard::erase(deadline_arm* a) noexcept {
  std::size_t i = a->heap_index;
  a->heap_index = deadline_arm::not_in_heap;
  deadline_arm* last = heap_.back();
  heap_.pop_back();
  if (heap_.empty()) occupied_.store(false, std::memory_order_seq_cst);
  if (heap_.empty() && heap_.capacity() > 1024) std::vector<deadline_arm*>().swap(heap_);  // a burst is over
  if (i == heap_.size()) return;
  heap_[i] = last;
  last->heap_index = static_cast<std::uint32_t>(i);
  sift_up(i);
  sift_down(last->heap_index);
}

void deadline_shard::erase_and_kick(deadline_arm* a, unique_lock& lock) noexcept {
  erase(a);
  if (heap_.empty()) kick_locked(lock);
}

void deadline_shard::activate(deadline_arm* a) noexcept {
  unique_lock lock(mutex_);
  if (dead() || !timer_ || a->heap_index != deadline_arm::not_in_heap) return;
  // Rechecked under the lock: demand changes outside it, and a done deadline never enters.
  if (a->owner()->state() != 0 || a->demand.load(std::memory_order_seq_cst) <= 0) return;
  try {
    push(a);
  } catch (...) {
    return;  // no memory for the heap: the deadline is still reported by err(), just not fired
  }
  if (heap_.front() == a && a->when() < armed_) kick_locked(lock);
}

void deadline_shard::deactivate(deadline_arm* a) noexcept {
  unique_lock lock(mutex_);
  if (a->demand.load(std::memory_order_seq_cst) > 0 || a->heap_index == deadline_arm::not_in_heap) return;
  erase_and_kick(a, lock);
}

void deadline_shard::remove(deadline_arm* a) noexcept {
  unique_lock lock(mutex_);
  if (a->heap_index != deadline_arm::not_in_heap) erase_and_kick(a, lock);
}

// ---------------------------------------------------------------------------------------------
// The timer

void deadline_shard::kick_locked(unique_lock& lock) noexcept {
  if (token_) return;  // the holder re-reads the heap after its call
  token_ = true;
  run_token(lock);
}

void deadline_shard::run_token(unique_lock& lock) noexcept {
  for (;;) {
    if (dead() || !timer_) break;
    clock::time_point want = heap_.empty() ? never : heap_.front()->when();
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
    if (want == never && armed_ != never && !idle_noted_) {
      // Once per empty spell: the last shard to empty posts the core's check (seq_cst with
      // occupied_, so of two emptying at once, one sees the other empty).
      idle_noted_ = true;
      if (core_->claim_idle_check()) {
        lock.unlock();
        try {
          net::post(timer_->ex, idle_handler{core_});
        } catch (...) {
          // No memory to post: the waits left pending run out at their expiry.
        }
        lock.lock();
      }
      continue;
    }
    break;
  }
  token_ = false;
}

void deadline_shard::on_timer(std::uint64_t gen) noexcept {
  {
    unique_lock lock(mutex_);
    if (gen == gen_) armed_ = never;  // this was the pending wait
  }
  // Every due deadline, one at a time; the timer is re-armed for the next once none is left.
  for (;;) {
    deadline_node* due = nullptr;
    {
      unique_lock lock(mutex_);
      if (heap_.empty() || heap_.front()->when() > clock::now()) {
        kick_locked(lock);
        return;
      }
      deadline_arm* a = heap_.front();
      erase(a);
      due = a->owner();
      if (!due->try_add_ref()) continue;  // being destroyed (it releases the arm under this lock)
    }
    tree::expire(due);
    tree::release(due);
  }
}

void deadline_shard::on_idle_check() noexcept {
  unique_lock lock(mutex_);
  idle_noted_ = false;  // a token holder finding the heap empty notes it again
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

void deadline_shard::shutdown() noexcept {
  unique_lock lock(mutex_);
  while (token_) {  // a call into the timer is under way on another thread
    lock.unlock();
    std::this_thread::yield();
    lock.lock();
  }
  for (deadline_arm* a : heap_) a->heap_index = deadline_arm::not_in_heap;
  std::vector<deadline_arm*>().swap(heap_);
  armed_ = never;
}

void deadline_shard::drop_timer() noexcept {
  unique_lock lock(mutex_);
  std::unique_ptr<deadline_timer_state> timer = std::move(timer_);
  lock.unlock();
}

}  // namespace detail
}  // namespace asioctx
