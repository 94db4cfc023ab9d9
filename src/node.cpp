//
// src/node.cpp: the cancellation tree.
//
// Locking: every lock is a node's own spin_mutex, never two at once, and never held while user
// code runs or a waiter is notified. Propagation is iterative (an intrusive work stack), so a
// chain of any depth or a node with any number of children cancels in constant stack.
//

#include <asioctx/detail/node.hpp>

#include <limits>
#include <mutex>
#include <ostream>

namespace asioctx {
namespace detail {

void release(node* n) noexcept {
  // Iterative, so dropping the last handle to a very deep chain cannot overflow the stack.
  while (n != nullptr && n->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    node* parent = n->parent_;
    delete n;
    n = parent;
  }
}

// ---------------------------------------------------------------------------------------------
// cancel_node

cancel_node::cancel_node(node* parent, node_kind k) noexcept
    : node(k, parent, this), cparent_(parent ? parent->canceler() : nullptr) {
  if (cparent_ != nullptr) {
    deadline_ = cparent_->deadline_;
    owner_ = cparent_->owner_;
  }
}

// Removes c from its parent's child list, if it is still there. The caller owns c (holds a
// reference, or is its destructor).
static void unlink_from_parent(cancel_node* c) noexcept {
  cancel_node* p = c->cparent_;
  if (p == nullptr || c->linked_.load(std::memory_order_acquire) == cancel_node::unlinked_self) return;
  std::lock_guard<spin_mutex> lock(p->mutex_);
  if (c->linked_.load(std::memory_order_relaxed) == cancel_node::linked) {
    if (c->prev_sibling_ != nullptr)
      c->prev_sibling_->next_sibling_ = c->next_sibling_;
    else
      p->first_child_ = c->next_sibling_;
    if (c->next_sibling_ != nullptr) c->next_sibling_->prev_sibling_ = c->prev_sibling_;
    c->prev_sibling_ = c->next_sibling_ = nullptr;
  }
  c->linked_.store(cancel_node::unlinked_self, std::memory_order_relaxed);
}

cancel_node::~cancel_node() { unlink_from_parent(this); }

std::size_t cancel_node::child_count() const noexcept {
  std::lock_guard<spin_mutex> lock(mutex_);
  std::size_t n = 0;
  for (cancel_node* c = first_child_; c != nullptr; c = c->next_sibling_) ++n;
  return n;
}

std::size_t cancel_node::waiter_count() const noexcept {
  std::lock_guard<spin_mutex> lock(mutex_);
  std::size_t n = 0;
  for (waiter* w = first_waiter_; w != nullptr; w = w->next_) ++n;
  return n;
}

void cancel_node::print(std::ostream& os) const { os << ".with_cancel"; }

// Publishes the error and cause of c unless it has them already.
static void set_state(cancel_node* c, error e, const error_code& cause) noexcept {
  std::lock_guard<spin_mutex> lock(c->mutex_);
  if (c->state_.load(std::memory_order_relaxed) != 0) return;
  c->cause_ = cause ? cause : error_code(static_cast<int>(e), error_category_ref);
  c->state_.store(static_cast<unsigned char>(e), std::memory_order_release);
}

// Links a freshly made node below its cancellable parent, or makes it born done.
static void link_to_parent(cancel_node* c) noexcept {
  cancel_node* p = c->cparent_;
  if (p == nullptr) return;
  // A parent whose deadline passed unobserved is done: inherit rather than link.
  if (p->state() == 0 && p->has_deadline()) node_err(p);
  if (p->state() == 0) {
    std::lock_guard<spin_mutex> lock(p->mutex_);
    if (p->state_.load(std::memory_order_relaxed) == 0) {
      c->next_sibling_ = p->first_child_;
      if (p->first_child_ != nullptr) p->first_child_->prev_sibling_ = c;
      p->first_child_ = c;
      c->linked_.store(cancel_node::linked, std::memory_order_relaxed);
      return;
    }
  }
  // Born done with the parent's error and cause.
  c->cause_ = p->cause_;
  c->state_.store(p->state(), std::memory_order_release);
  c->closed_ = true;
}

error_code latch_expired(cancel_node* c) noexcept {
  // The nearest ancestor already done, up to the deadline's owner, decides the error; if none
  // is, the owner's deadline itself does.
  deadline_node* owner = c->owner_;
  cancel_node* source = c;
  while (source != owner && source->state() == 0) source = source->cparent_;
  if (source->state() == 0) {
    const error_code& dc = owner->deadline_cause();
    set_state(owner, error::deadline_exceeded, dc);
  }
  if (source != c) set_state(c, static_cast<error>(source->state()), source->stored_cause());
  return error_code(c->state(), error_category_ref);
}

void expire_if_due(cancel_node* c) noexcept {
  if (c->has_deadline() && c->state() == 0 && clock::now() >= c->deadline()) {
    deadline_node* owner = c->deadline_owner();
    cancel(owner, error::deadline_exceeded, owner->deadline_cause());
  }
}

namespace {

// Pops one linked child of p and takes a reference to it; null when none is left.
cancel_node* pop_child(cancel_node* p) noexcept {
  for (;;) {
    std::lock_guard<spin_mutex> lock(p->mutex_);
    cancel_node* c = p->first_child_;
    if (c == nullptr) return nullptr;
    p->first_child_ = c->next_sibling_;
    if (c->next_sibling_ != nullptr) c->next_sibling_->prev_sibling_ = nullptr;
    c->linked_.store(cancel_node::unlinked_by_canceller, std::memory_order_release);
    c->prev_sibling_ = c->next_sibling_ = nullptr;
    // A child whose last handle is going away is skipped: its destructor sees it unlinked.
    if (c->try_add_ref()) return c;
  }
}

}  // namespace

// Notifies every waiter of c, one at a time, outside the lock.
static void drain_waiters(cancel_node* c, const error_code& err) noexcept {
  for (;;) {
    waiter* w;
    {
      std::lock_guard<spin_mutex> lock(c->mutex_);
      w = c->first_waiter_;
      if (w == nullptr) return;
      c->first_waiter_ = w->next_;
      if (w->next_ != nullptr) w->next_->prev_ = nullptr;
      w->linked_ = false;
      w->prev_ = w->next_ = nullptr;
      // The list's reference passes to this thread.
    }
    w->fire(err);
    w->release();
  }
}

// Publishes c's error (unless it has one) and closes it, under one lock. Returns false if another
// thread closed it first; sets has_waiters when there are waiters to notify.
// Once closed, no child links any more, so has_children false stays false.
static bool finish(cancel_node* c, error e, const error_code& cause, bool& has_waiters,
                   bool& has_children) noexcept {
  std::lock_guard<spin_mutex> lock(c->mutex_);
  if (c->state_.load(std::memory_order_relaxed) == 0) {
    c->cause_ = cause ? cause : error_code(static_cast<int>(e), error_category_ref);
    c->state_.store(static_cast<unsigned char>(e), std::memory_order_release);
  }
  if (c->closed_) return false;
  c->closed_ = true;
  has_waiters = c->first_waiter_ != nullptr;
  has_children = c->first_child_ != nullptr;
  return true;
}

// Everything a node does once it is closed, except reaching its children.
static void after_close(cancel_node* c, bool has_waiters) noexcept {
  if (c->kind() == node_kind::deadline) static_cast<deadline_node*>(c)->disarm();
  if (has_waiters) drain_waiters(c, error_code(c->state(), error_category_ref));
}

void cancel(cancel_node* root, error e, const error_code& cause) noexcept {
  // A cancel that comes after the deadline passed reports the deadline, as the timer would have.
  if (root->state() == 0 && root->has_deadline() && clock::now() >= root->deadline()) latch_expired(root);
  bool has_waiters = false, has_children = false;
  if (!finish(root, e, cause, has_waiters, has_children)) return;
  // Unlink from the parent now rather than when the last handle goes (Go does the same).
  unlink_from_parent(root);
  after_close(root, has_waiters);
  if (!has_children) return;

  // Depth-first over the subtree with an intrusive stack; each pushed node holds a reference.
  cancel_node* top = root;
  root->work_next_ = nullptr;
  while (top != nullptr) {
    cancel_node* child = pop_child(top);
    if (child == nullptr) {
      cancel_node* done = top;
      top = top->work_next_;
      if (done != root) release(done);
      continue;
    }
    if (!finish(child, static_cast<error>(top->state()), top->stored_cause(), has_waiters, has_children)) {
      release(child);  // its own cancel owns its subtree
      continue;
    }
    after_close(child, has_waiters);
    child->work_next_ = top;
    top = child;
  }
}

bool add_waiter(cancel_node* c, waiter* w) noexcept {
  expire_if_due(c);
  std::lock_guard<spin_mutex> lock(c->mutex_);
  if (c->closed_) return false;
  w->add_ref();  // the list's reference
  w->prev_ = nullptr;
  w->next_ = c->first_waiter_;
  if (c->first_waiter_ != nullptr) c->first_waiter_->prev_ = w;
  c->first_waiter_ = w;
  w->linked_ = true;
  return true;
}

bool remove_waiter(cancel_node* c, waiter* w) noexcept {
  {
    std::lock_guard<spin_mutex> lock(c->mutex_);
    if (!w->linked_) return false;
    if (w->prev_ != nullptr)
      w->prev_->next_ = w->next_;
    else
      c->first_waiter_ = w->next_;
    if (w->next_ != nullptr) w->next_->prev_ = w->prev_;
    w->prev_ = w->next_ = nullptr;
    w->linked_ = false;
  }
  w->release();  // the list's reference; the caller still holds its own
  return true;
}

error_code node_cause(const node* n) noexcept {
  if (n == nullptr || n->canceler() == nullptr) return error_code();
  const cancel_node* c = n->canceler();
  if (!node_err(c)) return error_code();
  return c->stored_cause();
}

// ---------------------------------------------------------------------------------------------
// The other node kinds.

namespace {

class plain_node final : public node {
 public:
  plain_node(node_kind k, node* parent) noexcept : node(k, parent, nullptr) {}
  void print(std::ostream& os) const override {
    if (kind() == node_kind::todo)
      os << "todo";
    else
      os << ".without_cancel";
  }
};

}  // namespace

node* make_cancel(node* parent) {
  auto* c = new cancel_node(parent);
  c->init_refs(2);
  if (parent != nullptr) parent->add_ref();
  link_to_parent(c);
  return c;
}

node* make_deadline(node* parent, clock::time_point d, const error_code& cause) {
  cancel_node* pc = parent ? parent->canceler() : nullptr;
  // A later deadline than the parent's changes nothing: Go returns WithCancel(parent) here too.
  if (pc != nullptr && pc->has_deadline() && pc->deadline() <= d) return make_cancel(parent);
  auto* c = new deadline_node(parent, d, cause);
  c->init_refs(2);
  if (parent != nullptr) parent->add_ref();
  link_to_parent(c);
  if (c->state() == 0 && clock::now() >= d) cancel(c, error::deadline_exceeded, cause);
  return c;
}

node* make_without_cancel(node* parent) {
  auto* n = new plain_node(node_kind::without_cancel, parent);
  if (parent != nullptr) parent->add_ref();
  return n;
}

node* todo_node() noexcept {
  // Never destroyed: the reference taken here is never dropped.
  static plain_node* const todo = new plain_node(node_kind::todo, nullptr);
  return todo;
}

}  // namespace detail
}  // namespace asioctx
