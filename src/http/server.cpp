//
// src/http/server.cpp: the listener, the connection driver and the request-context plumbing.
//
// Each connection runs two coroutines on its strand: a reader that parses requests into a queue
// (and keeps reading while a handler runs, to notice a disconnect), and a writer that serves the
// queue in order. They share state without locks because the strand serialises them; they wake
// each other by cancelling a steady_timer the other waits on.
//

#include <asioctx/async_wait.hpp>
#include <asioctx/bind.hpp>
#include <asioctx/http/server.hpp>
#include <asioctx/http/timeout_header.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <deque>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace asioctx {
namespace http {
namespace detail {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using std::chrono::nanoseconds;

namespace {

// How long a closing connection waits for the client's FIN after sending its own, so the
// last response is not destroyed by a reset (unread pipelined bytes make close() send RST).
constexpr std::chrono::milliseconds close_linger{500};

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// The caller's budget: the smallest well-formed value among the budget headers.
std::optional<nanoseconds> caller_budget(const request& req, metrics& m) {
  std::optional<nanoseconds> best;
  const auto take = [&](std::string_view name, auto parse) {
    for (auto [it, end] = req.equal_range(boost::beast::string_view(name.data(), name.size())); it != end;
         ++it) {
      const auto value = it->value();
      const std::optional<nanoseconds> b = parse(std::string_view(value.data(), value.size()));
      if (!b) {
        m.malformed_timeout_headers_total.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      if (!best || *b < *best) best = b;
    }
  };
  take(grpc_timeout_field, parse_grpc_timeout);
  take(envoy_timeout_field, parse_envoy_timeout_ms);
  return best;
}

response status_response(unsigned status, unsigned version, std::string body) {
  response res(static_cast<bhttp::status>(status), version);
  res.set(bhttp::field::content_type, "text/plain");
  res.body() = std::move(body);
  return res;
}

bool is_bad_request(const error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category();
}

unsigned bad_request_status(const error_code& ec) {
  if (ec == bhttp::error::header_limit) return 431;
  if (ec == bhttp::error::body_limit) return 413;
  return 400;
}

}  // namespace

class connection;

class server_impl : public std::enable_shared_from_this<server_impl> {
 public:
  server_impl(net::any_io_executor ex, handler h, server_options options, const context& parent)
      : ex_(std::move(ex)),
        acceptor_(net::make_strand(ex_)),
        grace_timer_(acceptor_.get_executor()),
        backoff_timer_(acceptor_.get_executor()),
        handler_(std::move(h)),
        options_(std::move(options)) {
    auto [root, cancel] = with_cancel_cause(parent);
    root_ = std::move(root);
    root_cancel_ = std::move(cancel);
  }

  void listen(const tcp::endpoint& ep) {
    acceptor_.open(ep.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(net::socket_base::max_listen_connections);
    endpoint_ = acceptor_.local_endpoint();
  }

  void start() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_ || accepting_) return;
      accepting_ = true;
    }
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
  }

  void shutdown(std::chrono::steady_clock::duration grace, std::function<void()> done);
  void connection_closed(connection* c);

  net::any_io_executor ex_;
  tcp::acceptor acceptor_;
  tcp::endpoint endpoint_;  // kept: the acceptor closes at shutdown
  net::steady_timer grace_timer_;
  net::steady_timer backoff_timer_;
  handler handler_;
  server_options options_;
  context root_;
  cancel_cause_func root_cancel_;
  metrics metrics_;

 private:
  void do_accept();
  void accept_ended();
  void start_connection(tcp::socket socket);
  void grace_expired();
  // Runs the shutdown waiters if everything is closed; called with mutex_ held, returns them.
  std::vector<std::function<void()>> take_waiters_if_done();

  std::mutex mutex_;
  std::unordered_map<connection*, std::weak_ptr<connection>> connections_;
  bool accepting_ = false;
  bool stopping_ = false;
  bool finished_ = false;
  std::vector<std::function<void()>> waiters_;
};

class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(std::shared_ptr<server_impl> srv, tcp::socket socket)
      : srv_(std::move(srv)),
        opts_(srv_->options_),
        m_(srv_->metrics_),
        socket_(std::move(socket)),
        writer_wake_(socket_.get_executor()),
        reader_wake_(socket_.get_executor()),
        read_timer_(socket_.get_executor()),
        write_timer_(socket_.get_executor()) {
    auto [ctx, cancel] = with_cancel_cause(srv_->root_);
    ctx_ = std::move(ctx);
    cancel_ = std::move(cancel);
    m_.open_connections.fetch_add(1, std::memory_order_relaxed);
  }

  ~connection() {
    cancel_();
    m_.open_connections.fetch_sub(1, std::memory_order_relaxed);
    srv_->connection_closed(this);
  }

  void start() {
    auto ex = socket_.get_executor();
    net::co_spawn(ex, read_loop(shared_from_this()), net::detached);
    net::co_spawn(ex, write_loop(shared_from_this()), net::detached);
  }

  // Shutdown began: finish the request in hand, take no new one; an idle connection closes now.
  void begin_shutdown() {
    net::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      self->shutting_ = true;
      self->writer_wake_.cancel();
    });
  }

  // The grace period is over: stop reading (a request half read is dropped). A response being
  // written is left to finish.
  void grace_expired() {
    net::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      self->forced_ = true;
      if (self->read_pending_) self->read_signal_.emit(net::cancellation_type::terminal);
      self->writer_wake_.cancel();
      self->reader_wake_.cancel();
    });
  }

 private:
  static net::awaitable<void> wait(net::steady_timer& t) {
    t.expires_at(net::steady_timer::time_point::max());
    co_await t.async_wait(use_tuple);
  }

  bool busy() const { return serving_ || writing_ || !queue_.empty(); }
  bool reading_requests() const { return !writer_done_ && !stop_reading_ && !shutting_ && !forced_; }

  // Read timeouts. While nothing is in hand (idle) the connection may wait idle_timeout for a
  // request; while a request is served the reader waits without limit, re-arming; a request
  // once begun must arrive whole within request_read_timeout.
  enum class read_phase { idle, request, linger };
  void arm_read_timer(read_phase phase) {
    const std::uint64_t gen = ++read_gen_;
    read_timed_out_ = false;
    std::chrono::milliseconds d = phase == read_phase::idle      ? opts_.idle_timeout
                                  : phase == read_phase::request ? opts_.request_read_timeout
                                                                 : close_linger;
    if (d <= std::chrono::milliseconds::zero()) {
      read_timer_.cancel();
      return;
    }
    read_timer_.expires_after(d);
    read_timer_.async_wait([weak = weak_from_this(), gen, phase](error_code ec) {
      auto self = weak.lock();
      if (!self || ec || gen != self->read_gen_) return;
      if (phase == read_phase::idle && self->busy() && !self->writer_done_) {
        self->arm_read_timer(phase);
        return;
      }
      self->read_timed_out_ = true;
      if (phase == read_phase::request) self->m_.io_timeouts_total.fetch_add(1, std::memory_order_relaxed);
      self->read_signal_.emit(net::cancellation_type::terminal);
    });
  }
  void disarm_read_timer() {
    ++read_gen_;
    read_timer_.cancel();
  }

  void arm_write_timer() {
    const std::uint64_t gen = ++write_gen_;
    if (opts_.write_timeout <= std::chrono::milliseconds::zero()) return;
    write_timer_.expires_after(opts_.write_timeout);
    write_timer_.async_wait([weak = weak_from_this(), gen](error_code ec) {
      auto self = weak.lock();
      if (!self || ec || gen != self->write_gen_) return;
      self->m_.io_timeouts_total.fetch_add(1, std::memory_order_relaxed);
      self->write_signal_.emit(net::cancellation_type::terminal);
    });
  }
  void disarm_write_timer() {
    ++write_gen_;
    write_timer_.cancel();
  }

  // The reader ended with ec. Unless the server caused it, the client went away: the request
  // in hand is cancelled and the queued ones are dropped.
  void reader_failed(const error_code& ec) {
    if (!ec || read_timed_out_ || forced_ || writer_done_) return;
    if (serving_) m_.client_disconnects_total.fetch_add(1, std::memory_order_relaxed);
    queue_.clear();
    cancel_(make_error_code(error::client_disconnected));
  }

  void maybe_close() {
    if (writer_done_ && read_closed_ && socket_.is_open()) {
      error_code ignored;
      socket_.close(ignored);
    }
  }

  static net::awaitable<void> read_loop(std::shared_ptr<connection> self) {
    try {
      co_await self->read_requests();
    } catch (...) {
      // Only allocation failure gets here; the connection closes.
    }
    self->read_closed_ = true;
    self->writer_wake_.cancel();
    self->maybe_close();
  }

  net::awaitable<void> read_requests() {
    const auto slot = [this] { return net::bind_cancellation_slot(read_signal_.slot(), use_tuple); };
    // The writer cancels a pending read when it finishes, to turn it into the short linger read.
    const auto relinger = [this](const error_code& ec) {
      return std::exchange(relinger_, false) && ec == net::error::operation_aborted;
    };
    for (;;) {
      if (!reading_requests()) {
        // Still reading, to notice a disconnect, or the client's FIN after ours; bytes dropped.
        arm_read_timer(writer_done_ ? read_phase::linger : read_phase::idle);
        char scratch[1024];
        read_pending_ = true;
        auto [ec, n] = co_await socket_.async_read_some(net::buffer(scratch), slot());
        read_pending_ = false;
        disarm_read_timer();
        if (ec) {
          if (relinger(ec)) continue;
          reader_failed(ec);
          co_return;
        }
        continue;
      }
      if (queue_.size() >= opts_.max_pipelined) {
        co_await wait(reader_wake_);
        continue;
      }
      if (buffer_.size() == 0) {
        arm_read_timer(read_phase::idle);
        read_pending_ = true;
        auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(4096), slot());
        read_pending_ = false;
        disarm_read_timer();
        buffer_.commit(n);
        if (ec) {
          if (relinger(ec)) continue;
          reader_failed(ec);
          co_return;
        }
        if (!reading_requests()) continue;
      }
      reading_request_ = true;
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(opts_.header_limit));
      parser.body_limit(opts_.body_limit);
      arm_read_timer(read_phase::request);
      read_pending_ = true;
      auto [ec, n] = co_await bhttp::async_read(socket_, buffer_, parser, slot());
      read_pending_ = false;
      disarm_read_timer();
      reading_request_ = false;
      if (ec) {
        if (relinger(ec)) continue;
        if (is_bad_request(ec) && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
          m_.bad_requests_total.fetch_add(1, std::memory_order_relaxed);
          queue_.push_back(item{std::nullopt, bad_request_status(ec)});
          stop_reading_ = true;
          writer_wake_.cancel();
          continue;  // watch for a disconnect while the queue drains
        }
        reader_failed(ec);
        co_return;
      }
      if (!parser.get().keep_alive()) stop_reading_ = true;
      queue_.push_back(item{parser.release(), 0});
      writer_wake_.cancel();
    }
  }

  static net::awaitable<void> write_loop(std::shared_ptr<connection> self) {
    try {
      co_await self->write_responses();
    } catch (...) {
    }
    self->serving_ = false;
    self->writing_ = false;
    self->writer_done_ = true;
    self->cancel_();
    error_code ignored;
    self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
    self->reader_wake_.cancel();
    // Wake a reader waiting for a request so it switches to the short linger wait.
    if (self->read_pending_) {
      self->relinger_ = true;
      self->read_signal_.emit(net::cancellation_type::terminal);
    }
    self->maybe_close();
  }

  net::awaitable<void> write_responses() {
    for (;;) {
      while (queue_.empty() && !read_closed_ && !forced_ && !(shutting_ && !reading_request_))
        co_await wait(writer_wake_);
      if (queue_.empty() || forced_) co_return;
      item it = std::move(queue_.front());
      queue_.pop_front();
      reader_wake_.cancel();
      std::optional<response> res;
      unsigned version = 11;
      bool keep_alive = false;
      if (it.req) {
        version = it.req->version();
        keep_alive = it.req->keep_alive();
        serving_ = true;
        res = co_await serve(std::move(*it.req));
        serving_ = false;
        if (!res) co_return;  // the client is gone
      } else {
        res = status_response(it.error_status, version, "bad request\n");
      }
      keep_alive = keep_alive && res->keep_alive() && !shutting_ && !stop_reading_ && !forced_ &&
                   !ctx_.done() && it.req.has_value();
      res->version(version);
      res->keep_alive(keep_alive);
      res->prepare_payload();
      writing_ = true;
      arm_write_timer();
      auto [ec, n] = co_await bhttp::async_write(
          socket_, *res, net::bind_cancellation_slot(write_signal_.slot(), use_tuple));
      disarm_write_timer();
      writing_ = false;
      if (ec || !keep_alive) co_return;
    }
  }

  // Runs one request's handler; nullopt means the connection must close without an answer.
  net::awaitable<std::optional<response>> serve(request req) {
    m_.requests_total.fetch_add(1, std::memory_order_relaxed);
    const unsigned version = req.version();
    if (!opts_.request_contexts) {
      try {
        m_.inflight_requests.fetch_add(1, std::memory_order_relaxed);
        response res = co_await srv_->handler_(background(), std::move(req));
        m_.inflight_requests.fetch_sub(1, std::memory_order_relaxed);
        co_return res;
      } catch (...) {
      }
      m_.inflight_requests.fetch_sub(1, std::memory_order_relaxed);
      m_.handler_errors_total.fetch_add(1, std::memory_order_relaxed);
      co_return status_response(500, version, "internal server error\n");
    }

    const std::optional<nanoseconds> budget = caller_budget(req, m_);
    if (budget && *budget <= nanoseconds::zero()) {
      m_.deadline_exceeded_total.fetch_add(1, std::memory_order_relaxed);
      co_return deadline_response(version);
    }
    const auto deadline = request_deadline(clock::now(), opts_.handler_timeout, budget);
    context rctx = ctx_;
    cancel_func rcancel;
    if (deadline) {
      auto d = with_deadline(socket_.get_executor(), ctx_, *deadline);
      rctx = std::move(d.ctx);
      rcancel = std::move(d.cancel);
    }

    // The handler runs as its own coroutine, so the server can answer at the deadline even if
    // the handler ignores its context. co_spawn is bound to the context too: the handler's
    // pending operation is cancelled even when the handler did not bind it.
    struct outcome {
      bool finished = false;
      bool context_done_first = false;
      std::exception_ptr failure;
      std::optional<response> res;
    };
    auto out = std::make_shared<outcome>();
    m_.inflight_requests.fetch_add(1, std::memory_order_relaxed);
    try {
      net::co_spawn(socket_.get_executor(), srv_->handler_(rctx, std::move(req)),
                    asioctx::bind(rctx, net::bind_executor(socket_.get_executor(),
                                                           [out, rctx, srv = srv_, weak = weak_from_this()](
                                                               std::exception_ptr e, response r) mutable {
                                                             srv->metrics_.inflight_requests.fetch_sub(
                                                                 1, std::memory_order_relaxed);
                                                             out->finished = true;
                                                             out->context_done_first = rctx.done();
                                                             out->failure = e;
                                                             if (!e) out->res = std::move(r);
                                                             if (auto self = weak.lock())
                                                               self->writer_wake_.cancel();
                                                           })));
    } catch (...) {  // the handler function itself threw
      m_.inflight_requests.fetch_sub(1, std::memory_order_relaxed);
      out->finished = true;
      out->failure = std::current_exception();
    }

    while (!out->finished && !rctx.done()) {
      writer_wake_.expires_at(net::steady_timer::time_point::max());
      co_await writer_wake_.async_wait(asioctx::bind(rctx, use_tuple));
    }

    std::optional<response> result;
    if (out->finished && !out->context_done_first && (!out->failure || !rctx.done())) {
      if (out->failure) {
        m_.handler_errors_total.fetch_add(1, std::memory_order_relaxed);
        result = status_response(500, version, "internal server error\n");
      } else {
        result = std::move(out->res);
      }
    } else if (rctx.err() == asioctx::error::deadline_exceeded) {
      m_.deadline_exceeded_total.fetch_add(1, std::memory_order_relaxed);
      result = deadline_response(version);
    } else if (cause(rctx) == error::client_disconnected) {
      // Counted where the disconnect was seen; nobody to answer.
    } else {
      // Shutdown grace over (or the server's parent context cancelled): answer and close.
      if (cause(rctx) == error::shutting_down)
        m_.shutdown_canceled_total.fetch_add(1, std::memory_order_relaxed);
      result = status_response(opts_.shutdown_status, version, "server shutting down\n");
      stop_reading_ = true;
    }
    rcancel();
    co_return result;
  }

  response deadline_response(unsigned version) const {
    response res = status_response(opts_.deadline_status, version, "deadline exceeded\n");
    if (!opts_.deadline_header.empty()) res.set(opts_.deadline_header, "1");
    return res;
  }

  struct item {
    std::optional<request> req;
    unsigned error_status;  // when !req: the status of a request that could not be read
  };

  std::shared_ptr<server_impl> srv_;
  const server_options& opts_;
  metrics& m_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  context ctx_;
  cancel_cause_func cancel_;
  std::deque<item> queue_;
  net::steady_timer writer_wake_, reader_wake_, read_timer_, write_timer_;
  net::cancellation_signal read_signal_, write_signal_;
  std::uint64_t read_gen_ = 0, write_gen_ = 0;
  bool read_timed_out_ = false;
  bool read_pending_ = false;
  bool relinger_ = false;
  bool reading_request_ = false;  // part of a request has arrived
  bool stop_reading_ = false;     // no request after the queued ones (Connection: close, bad request)
  bool serving_ = false;          // a handler is running
  bool writing_ = false;
  bool read_closed_ = false;
  bool writer_done_ = false;
  bool shutting_ = false;
  bool forced_ = false;
};

void server_impl::do_accept() {
  acceptor_.async_accept(net::make_strand(ex_), [self = shared_from_this()](error_code ec, tcp::socket s) {
    if (!self->acceptor_.is_open()) {
      self->accept_ended();
      return;
    }
    if (ec) {
      // Out of descriptors and the like: back off instead of spinning.
      self->backoff_timer_.expires_after(std::chrono::milliseconds(50));
      self->backoff_timer_.async_wait([self](error_code) {
        if (self->acceptor_.is_open())
          self->do_accept();
        else
          self->accept_ended();
      });
      return;
    }
    self->start_connection(std::move(s));
    self->do_accept();
  });
}

void server_impl::start_connection(tcp::socket socket) {
  metrics_.connections_total.fetch_add(1, std::memory_order_relaxed);
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto c = std::make_shared<connection>(shared_from_this(), std::move(socket));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.emplace(c.get(), c);
  }
  c->start();
}

void server_impl::accept_ended() {
  std::vector<std::function<void()>> waiters;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    accepting_ = false;
    waiters = take_waiters_if_done();
  }
  for (auto& w : waiters) w();
}

void server_impl::connection_closed(connection* c) {
  std::vector<std::function<void()>> waiters;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.erase(c);
    waiters = take_waiters_if_done();
  }
  for (auto& w : waiters) w();
}

std::vector<std::function<void()>> server_impl::take_waiters_if_done() {
  if (!stopping_ || accepting_ || !connections_.empty()) return {};
  if (!finished_) {
    finished_ = true;
    // Nothing is left to wait for; cancel stragglers (handlers abandoned at their deadline).
    root_cancel_(make_error_code(error::shutting_down));
    net::post(acceptor_.get_executor(), [self = shared_from_this()] { self->grace_timer_.cancel(); });
  }
  return std::move(waiters_);
}

void server_impl::shutdown(std::chrono::steady_clock::duration grace, std::function<void()> done) {
  std::vector<std::shared_ptr<connection>> conns;
  std::vector<std::function<void()>> waiters;
  bool first = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (done) waiters_.push_back(std::move(done));
    if (!stopping_) {
      first = true;
      stopping_ = true;
      for (auto& [p, weak] : connections_)
        if (auto c = weak.lock()) conns.push_back(std::move(c));
    }
    waiters = take_waiters_if_done();
  }
  if (first) {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this(), grace] {
      error_code ignored;
      self->acceptor_.close(ignored);
      self->backoff_timer_.cancel();
      {
        std::lock_guard<std::mutex> lock(self->mutex_);
        if (self->finished_) return;
      }
      self->grace_timer_.expires_after(grace);
      self->grace_timer_.async_wait([self](error_code ec) {
        if (!ec) self->grace_expired();
      });
    });
    for (auto& c : conns) c->begin_shutdown();
  }
  for (auto& w : waiters) w();
}

void server_impl::grace_expired() {
  std::vector<std::shared_ptr<connection>> conns;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [p, weak] : connections_)
      if (auto c = weak.lock()) conns.push_back(std::move(c));
  }
  root_cancel_(make_error_code(error::shutting_down));
  for (auto& c : conns) c->grace_expired();
}

}  // namespace detail

server::server(boost::asio::any_io_executor ex, handler h, server_options options, const context& parent)
    : impl_(std::make_shared<detail::server_impl>(std::move(ex), std::move(h), std::move(options), parent)) {}

server::~server() { impl_->shutdown(std::chrono::steady_clock::duration::zero(), nullptr); }

void server::listen(const boost::asio::ip::tcp::endpoint& ep) { impl_->listen(ep); }

boost::asio::ip::tcp::endpoint server::local_endpoint() const { return impl_->endpoint_; }

void server::start() { impl_->start(); }

void server::shutdown_impl(std::chrono::steady_clock::duration grace, std::function<void()> done) {
  impl_->shutdown(grace, std::move(done));
}

const metrics& server::get_metrics() const noexcept { return impl_->metrics_; }

boost::asio::any_io_executor server::get_executor() const noexcept { return impl_->ex_; }

}  // namespace http
}  // namespace asioctx
