//
// asioctx/detail/node.hpp
//
// The cancellation tree. Every context is a refcounted node pointing at its parent. Nodes that can
// be cancelled (cancel_node) also keep an intrusive list of their cancellable children and of the
// waiters (bound operations, after_func callbacks) to notify. Lists are guarded by a per-node
// spin lock; the done state is a single atomic byte so err() never locks.
//

#ifndef ASIOCTX_DETAIL_NODE_HPP
#define ASIOCTX_DETAIL_NODE_HPP

#include <asioctx/detail/op_pool.hpp>
#include <asioctx/detail/spin_mutex.hpp>
#include <asioctx/error.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <memory>

namespace asioctx {
namespace detail {

using clock = std::chrono::steady_clock;

extern const boost::system::error_category& error_category_ref;

enum class node_kind : unsigned char { todo, cancel, deadline, value, without_cancel };

class cancel_node;
class deadline_node;
class timer_record;

class node : public pooled {
 public:
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Sets the count of a node no other thread can see yet.
  void init_refs(std::size_t n) noexcept { refs_.store(n, std::memory_order_relaxed); }

  // Takes a reference unless the node is already being destroyed.
  bool try_add_ref() noexcept {
    std::size_t n = refs_.load(std::memory_order_relaxed);
    while (n != 0) {
      if (refs_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) return true;
    }
    return false;
  }

  node_kind kind() const noexcept { return kind_; }
  node* parent() const noexcept { return parent_; }
  cancel_node* canceler() const noexcept { return canc_; }

  // Prints this node's own part of the chain ("background" is the null node, never printed here).
  virtual void print(std::ostream& os) const = 0;

 protected:
  // Takes ownership of one reference to parent.
  node(node_kind k, node* parent, cancel_node* canc) noexcept : kind_(k), parent_(parent), canc_(canc) {}
  virtual ~node() = default;

 private:
  friend void release(node* n) noexcept;

  std::atomic<std::size_t> refs_{1};
  node_kind kind_;
  node* parent_;       // strong; released iteratively by release()
  cancel_node* canc_;  // nearest cancellable node, this one included; null if never done
};

// Drops one reference; destroys the node and, iteratively, every ancestor left unreferenced.
void release(node* n) noexcept;

// Something to notify once a cancel_node is done: a bound operation or an after_func callback.
class waiter {
 public:
  waiter() = default;
  waiter(const waiter&) = delete;
  waiter& operator=(const waiter&) = delete;

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy();
  }

  // Called at most once, outside every lock, by the thread that finished the node.
  virtual void fire(error_code err) noexcept = 0;

 protected:
  virtual ~waiter() = default;
  virtual void destroy() noexcept { delete this; }

 private:
  std::atomic<unsigned> refs_{1};

 public:
  // The tree's links, guarded by the node's mutex.
  waiter* prev_ = nullptr;
  waiter* next_ = nullptr;
  bool linked_ = false;
};

class cancel_node : public node {
 public:
  // Creates a node below parent (which may be null for background); takes no reference to it.
  cancel_node(node* parent, node_kind k = node_kind::cancel) noexcept;

  unsigned char state() const noexcept { return state_.load(std::memory_order_acquire); }
  clock::time_point deadline() const noexcept { return deadline_; }
  bool has_deadline() const noexcept { return owner_ != nullptr; }
  deadline_node* deadline_owner() const noexcept { return owner_; }

  // The cause; valid once state() != 0.
  const error_code& stored_cause() const noexcept { return cause_; }

  void print(std::ostream& os) const override;

  // Test hook: how many cancellable children are linked below this node.
  std::size_t child_count() const noexcept;
  // Test hook: how many waiters are linked.
  std::size_t waiter_count() const noexcept;

 protected:
  ~cancel_node() override;

 public:
  // The tree's state, used by the functions in src/node.cpp.
  std::atomic<unsigned char> state_{0};  // 0 while live, then an asioctx::error; set once
  bool closed_ = false;                  // guarded by mutex_: propagation began, nothing links any more
  // Membership of cparent_'s child list, written under cparent_->mutex_. A node is linked only
  // at birth; unlinked_self means no other thread can still be touching it, so the destructor
  // needs no lock; unlinked_by_canceller means a canceller did it, and the destructor must take
  // the lock to wait until that canceller is done with it.
  enum : unsigned char { unlinked_self = 0, linked = 1, unlinked_by_canceller = 2 };
  std::atomic<unsigned char> linked_{unlinked_self};
  mutable spin_mutex mutex_;
  error_code cause_;                     // written before state_ is published, then immutable
  cancel_node* cparent_ = nullptr;       // nearest cancellable ancestor, kept alive through parent()
  cancel_node* prev_sibling_ = nullptr;  // guarded by cparent_->mutex_
  cancel_node* next_sibling_ = nullptr;
  cancel_node* first_child_ = nullptr;                     // guarded by mutex_
  waiter* first_waiter_ = nullptr;                         // guarded by mutex_
  cancel_node* work_next_ = nullptr;                       // owned by the thread propagating a cancellation
  clock::time_point deadline_ = clock::time_point::max();  // effective deadline
  deadline_node* owner_ = nullptr;  // the ancestor (or this) whose timer enforces deadline_
};

class deadline_node final : public cancel_node {
 public:
  deadline_node(node* parent, clock::time_point d, const error_code& cause) noexcept;

  const error_code& deadline_cause() const noexcept { return deadline_cause_; }
  void print(std::ostream& os) const override;

  // Arms this node's timer on ex unless it is armed already or the node is done.
  void arm(const boost::asio::any_io_executor& ex);
  bool armed() const noexcept { return timer_.load(std::memory_order_acquire) != nullptr; }

  // Stops the timer early (the node was cancelled); the record stays owned by the node.
  void disarm() noexcept;

 private:
  ~deadline_node() override;

  error_code deadline_cause_;  // the cause reported when the deadline fires
  std::atomic<timer_record*> timer_{nullptr};
};

// Records that c's deadline has passed (no timer needed) and returns its error.
error_code latch_expired(cancel_node* c) noexcept;

// Arms the timer enforcing c's effective deadline, if it has one and it is not armed yet, on ex.
// Inline so the common case (no deadline, or already armed) costs no executor type-erasure.
template <class Executor>
void arm_deadline(cancel_node* c, const Executor& ex) {
  deadline_node* owner = c->deadline_owner();
  if (owner != nullptr && !owner->armed()) owner->arm(boost::asio::any_io_executor(ex));
}

// Reads the error of a node without locking; latches an expired deadline the first time.
inline error_code node_err(const cancel_node* c) noexcept {
  if (unsigned char s = c->state()) return error_code(s, error_category_ref);
  if (!c->has_deadline() || clock::now() < c->deadline()) return error_code();
  return latch_expired(const_cast<cancel_node*>(c));
}

// Cancels c and its subtree; the first call wins. cause {} means the error itself.
void cancel(cancel_node* c, error e, const error_code& cause) noexcept;

// If c's effective deadline has passed, cancels the node that owns it (a prompt timer).
void expire_if_due(cancel_node* c) noexcept;

// Links w below c unless c is done (returns false: the caller notifies at once).
bool add_waiter(cancel_node* c, waiter* w) noexcept;
// Unlinks w; false means a canceller already took it and will call (or is calling) fire.
bool remove_waiter(cancel_node* c, waiter* w) noexcept;

// The cause of a context: {} while live.
error_code node_cause(const node* n) noexcept;

// Both return a node holding two references: the context's and the cancel function's.
node* make_cancel(node* parent);
node* make_deadline(node* parent, clock::time_point d, const error_code& cause);
node* make_without_cancel(node* parent);
node* todo_node() noexcept;

// Tracks whether an execution_context has shut down, so nothing is posted to it afterwards.
struct timer_core;
std::shared_ptr<timer_core> liveness_of(boost::asio::execution_context& ctx);
// Calls fn(arg) under the context's lock unless the context has shut down; false if it has.
bool call_if_alive(timer_core& core, void (*fn)(void*), void* arg) noexcept;

// Test hook: how many deadline timers are armed on ctx and not yet released.
std::size_t armed_timers(boost::asio::execution_context& ctx);

}  // namespace detail
}  // namespace asioctx

#endif  // ASIOCTX_DETAIL_NODE_HPP
