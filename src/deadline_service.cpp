// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/deadline_service.cpp: the execution_context service that gives each execution context its
// core (detail/context_core.hpp), the core's shards of deadlines and which one a thread's arms
// are homed in, and the shutdown. A shard's heap and timer: src/deadline_shard.cpp.
//

#include <asioctx/detail/context_core.hpp>

#include <algorithm>
#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif

namespace asioctx {
namespace detail {

namespace net = boost::asio;

namespace {

using unique_lock = std::unique_lock<spin_mutex>;

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

// Where this thread runs: the CPU it is on now where the system says so (two threads running at
// once are on two CPUs), else a number of its own.
std::size_t where_am_i() noexcept {
#if defined(__linux__)
  int cpu = sched_getcpu();
  if (cpu >= 0) return static_cast<std::size_t>(cpu);
#endif
  static std::atomic<std::size_t> next{0};
  thread_local std::size_t mine = next.fetch_add(1, std::memory_order_relaxed);
  return mine;
}

}  // namespace

context_core* core_of(net::execution_context& ctx) {
  std::uint64_t g = generation.load(std::memory_order_acquire);
  if (cache.ctx == &ctx && cache.gen == g) return cache.core;
  context_core* core = net::use_service<deadline_service>(ctx).core();
  cache = core_cache{&ctx, core, g};
  return core;
}

context_core::context_core()
    : shard_count_(std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 64)),
      shards_(new deadline_shard[shard_count_]) {
  for (std::size_t i = 0; i < shard_count_; ++i) shards_[i].attach(this);
}

context_core::~context_core() = default;

deadline_shard* context_core::shard_here() noexcept { return &shards_[where_am_i() % shard_count_]; }

void context_core::set_executor(const net::any_io_executor& ex) {
  // Each shard makes its timer outside every lock; a second caller finds them made.
  for (std::size_t i = 0; i < shard_count_; ++i) shards_[i].install(ex);
  has_executor_.store(true, std::memory_order_release);
}

bool context_core::claim_idle_check() noexcept {
  for (std::size_t i = 0; i < shard_count_; ++i) {
    if (shards_[i].occupied()) return false;  // its pending wait holds run() anyway
  }
  return !idle_posted_.exchange(true, std::memory_order_seq_cst);
}

void context_core::on_idle_check() noexcept {
  idle_posted_.store(false, std::memory_order_seq_cst);  // a shard emptying from now on posts again
  for (std::size_t i = 0; i < shard_count_; ++i) shards_[i].on_idle_check();
}

// ---------------------------------------------------------------------------------------------
// Users: the core is freed when the service is gone and nothing refers to it any more.

// Never the first: the caller reached the core through the service or through a user.
void context_core::add_user() noexcept { users_.add(); }

bool context_core::drop_user_locked() noexcept { return users_.release(); }

void context_core::drop_user() noexcept {
  unique_lock lock(mutex_);  // whoever drops the last user waits for every holder of the lock
  bool last = drop_user_locked();
  lock.unlock();
  if (last) delete this;
}

// ---------------------------------------------------------------------------------------------
// Shutdown

void context_core::shutdown() noexcept {
  unique_lock lock(mutex_);
  dead_.store(true, std::memory_order_seq_cst);
  // Each keeps its user until it withdraws, which on_shutdown (or a racing claimer) makes it do;
  // each is pinned, so a claimer racing the shutdown may end it without freeing it under us.
  intrusive_list<registered, registry_tag> enrolled = std::move(registry_);
  registry_size_ = 0;
  for (registered* r = enrolled.front(); r != nullptr; r = enrolled.next(r)) r->pin();
  lock.unlock();
  // A shard seen after this takes no arm and arms no timer: dead_ is read under its lock.
  for (std::size_t i = 0; i < shard_count_; ++i) shards_[i].shutdown();
  while (inflight_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
  // The timers, while the execution context's services still exist.
  for (std::size_t i = 0; i < shard_count_; ++i) shards_[i].drop_timer();
  while (registered* r = enrolled.pop_front()) {
    r->on_shutdown();
    r->unpin();
  }
}

}  // namespace detail
}  // namespace asioctx
