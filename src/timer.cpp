//
// src/timer.cpp: deadline timers.
//
// Each deadline context owns at most one steady_timer, armed on the first executor that needs it.
// Timers live in records tracked by an execution_context service, so destroying the io_context
// first destroys the timers while the io_context's own services still exist, and contexts
// released later find their record orphaned instead of touching a dead timer.
//

#include <asioctx/detail/node.hpp>

#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <ostream>

namespace asioctx {
namespace detail {

namespace net = boost::asio;

struct timer_core {
  spin_mutex mutex;               // held only for short, non-blocking calls into the timer and the lists
  bool dead = false;              // the execution_context has shut down
  timer_record* first = nullptr;  // armed records still holding a timer
  std::size_t count = 0;
  // Idle records kept with their steady_timer constructed, for the next deadline to reuse:
  // constructing and destroying a timer costs service lookups and reactor calls.
  timer_record* free = nullptr;
  std::size_t free_count = 0;
  static constexpr std::size_t max_free = 1024;
};

class timer_record {
 public:
  timer_record(std::shared_ptr<timer_core> core, deadline_node* owner, const net::any_io_executor& ex)
      : core_(std::move(core)), owner_(owner), timer_(std::in_place, ex) {}

  // An idle record of core whose timer runs on ex, now owned by owner; null if none.
  static timer_record* reuse(const std::shared_ptr<timer_core>& core, deadline_node* owner,
                             const net::any_io_executor& ex) {
    std::lock_guard<spin_mutex> lock(core->mutex);
    timer_record* r = core->free;
    if (r == nullptr || core->dead || !(r->timer_->get_executor() == ex)) return nullptr;
    core->free = r->next_;
    --core->free_count;
    r->next_ = nullptr;
    r->owner_ = owner;
    r->refs_.store(1, std::memory_order_relaxed);
    return r;
  }

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) recycle();
  }

  // Starts the wait, unless the execution_context is already shutting down (then the record
  // only drops its timer).
  void start(clock::time_point expiry) {
    std::lock_guard<spin_mutex> lock(core_->mutex);
    if (core_->dead) {
      timer_.reset();
      return;
    }
    next_ = core_->first;
    if (next_ != nullptr) next_->prev_ = this;
    core_->first = this;
    ++core_->count;
    linked_ = true;
    timer_->expires_at(expiry);
    add_ref();  // the pending wait's reference
    timer_->async_wait(waiter_handler{this});
  }

  // Stops the wait early; the owner stays attached.
  void cancel() noexcept {
    std::lock_guard<spin_mutex> lock(core_->mutex);
    if (timer_) timer_->cancel();
  }

  // The owner is going away: stop the timer and drop the owner's reference. The record is
  // recycled once its wait (if one is pending) has completed.
  void detach() noexcept {
    {
      std::lock_guard<spin_mutex> lock(core_->mutex);
      owner_ = nullptr;
      unlink_locked();
      if (timer_) timer_->cancel();
    }
    release();
  }

  // Deletes an idle record on the free list (the service is shutting down).
  void destroy_idle_locked() noexcept {
    timer_.reset();
    delete this;
  }

  // The service shuts down: destroy the timer while the execution_context can still take it.
  void orphan_locked() noexcept {
    unlink_locked();
    timer_.reset();
  }

  timer_record* next_locked() const noexcept { return next_; }

 private:
  struct waiter_handler {
    timer_record* self;
    waiter_handler(timer_record* r) noexcept : self(r) {}
    waiter_handler(waiter_handler&& o) noexcept : self(std::exchange(o.self, nullptr)) {}
    waiter_handler& operator=(waiter_handler&&) = delete;
    ~waiter_handler() {
      if (self != nullptr) self->release();
    }
    void operator()(const error_code& ec) {
      timer_record* r = std::exchange(self, nullptr);
      if (!ec) r->fire();
      r->release();
    }
  };

  void fire() noexcept {
    deadline_node* n = nullptr;
    {
      std::lock_guard<spin_mutex> lock(core_->mutex);
      if (owner_ != nullptr && owner_->try_add_ref()) n = owner_;
    }
    if (n == nullptr) return;
    detail::cancel(n, error::deadline_exceeded, n->deadline_cause());
    detail::release(n);
  }

  void unlink_locked() noexcept {
    if (!linked_) return;
    if (prev_ != nullptr)
      prev_->next_ = next_;
    else
      core_->first = next_;
    if (next_ != nullptr) next_->prev_ = prev_;
    prev_ = next_ = nullptr;
    linked_ = false;
    --core_->count;
  }

  // No reference is left: keep the record, timer and all, for the next deadline, unless the
  // service is gone or enough are kept already.
  void recycle() noexcept {
    {
      std::lock_guard<spin_mutex> lock(core_->mutex);
      if (!core_->dead && timer_ && core_->free_count < timer_core::max_free) {
        next_ = core_->free;
        core_->free = this;
        ++core_->free_count;
        return;
      }
    }
    delete this;
  }

  ~timer_record() = default;

  std::atomic<unsigned> refs_{1};  // the owner's
  std::shared_ptr<timer_core> core_;
  deadline_node* owner_;                    // guarded by core_->mutex
  std::optional<net::steady_timer> timer_;  // guarded by core_->mutex
  timer_record* prev_ = nullptr;            // guarded by core_->mutex
  timer_record* next_ = nullptr;
  bool linked_ = false;
};

namespace {

class timer_service final : public net::execution_context::service {
 public:
  static net::execution_context::id id;

  explicit timer_service(net::execution_context& ctx)
      : net::execution_context::service(ctx), core_(std::make_shared<timer_core>()) {}

  const std::shared_ptr<timer_core>& core() const noexcept { return core_; }

 private:
  void shutdown() override {
    std::lock_guard<spin_mutex> lock(core_->mutex);
    core_->dead = true;
    while (core_->first != nullptr) core_->first->orphan_locked();
    while (timer_record* r = core_->free) {
      core_->free = r->next_locked();
      --core_->free_count;
      r->destroy_idle_locked();
    }
  }

  std::shared_ptr<timer_core> core_;
};

net::execution_context::id timer_service::id;

}  // namespace

deadline_node::deadline_node(node* parent, clock::time_point d, const error_code& cause) noexcept
    : cancel_node(parent, node_kind::deadline), deadline_cause_(cause) {
  deadline_ = d;
  owner_ = this;
}

deadline_node::~deadline_node() {
  if (timer_record* r = timer_.load(std::memory_order_acquire)) r->detach();
}

void deadline_node::arm(const net::any_io_executor& ex) {
  if (timer_.load(std::memory_order_acquire) != nullptr || state() != 0) return;
  net::execution_context& ctx = net::query(ex, net::execution::context);
  auto& svc = net::use_service<timer_service>(ctx);
  timer_record* rec = timer_record::reuse(svc.core(), this, ex);
  if (rec == nullptr) rec = new timer_record(svc.core(), this, ex);
  timer_record* expected = nullptr;
  if (!timer_.compare_exchange_strong(expected, rec, std::memory_order_acq_rel)) {
    rec->release();  // another thread armed it first
    return;
  }
  rec->start(deadline_);
}

void deadline_node::disarm() noexcept {
  if (timer_record* r = timer_.load(std::memory_order_acquire)) r->cancel();
}

void deadline_node::print(std::ostream& os) const {
  auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline_ - clock::now());
  os << ".with_deadline(" << static_cast<double>(left.count()) / 1e6 << "s)";
}

std::shared_ptr<timer_core> liveness_of(net::execution_context& ctx) {
  return net::use_service<timer_service>(ctx).core();
}

bool call_if_alive(timer_core& core, void (*fn)(void*), void* arg) noexcept {
  std::lock_guard<spin_mutex> lock(core.mutex);
  if (core.dead) return false;
  fn(arg);
  return true;
}

std::size_t armed_timers(net::execution_context& ctx) {
  auto& svc = net::use_service<timer_service>(ctx);
  std::lock_guard<spin_mutex> lock(svc.core()->mutex);
  return svc.core()->count;
}

}  // namespace detail
}  // namespace asioctx
