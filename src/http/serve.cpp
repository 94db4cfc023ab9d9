// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/http/serve.cpp: async_serve's operation (public API of the core only).
//
// The handler's coroutine runs on the operation's executor. Most handlers answer without
// suspending: the watch on the request's context (an after_func) is registered only once the
// executor has run something else while the handler is still out, so they never arm a deadline.
// If the context becomes done first, the watch answers for the handler, completes the
// operation and cancels the coroutine; the coroutine, when it ends, finds the operation complete
// and drops its result. Everything but the per-operation cancellation handler runs on the
// executor, which runs one thing at a time: no lock.
//

#include <asioctx/after_func.hpp>
#include <asioctx/http/request_scope.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <atomic>
#include <memory>

namespace asioctx {
namespace http {
namespace detail {

namespace net = boost::asio;

struct serve_access {
  static const cancel_func& cancel(const request_scope& s) noexcept { return s.cancel_; }
  static const source_location& where(const request_scope& s) noexcept { return s.where_; }
  static void answered(request_scope& s, std::optional<answer_kind> kind) noexcept { s.answered_ = kind; }
};

namespace {

struct serve_op {
  serve_op(const net::any_io_executor& e, request_scope& s, serve_handler h)
      : ex(e),
        work(net::prefer(e, net::execution::outstanding_work.tracked)),
        scope(&s),
        handler(std::move(h)),
        ctx(s.get_context()),
        cancel(serve_access::cancel(s)),
        where(serve_access::where(s)) {}

  const net::any_io_executor ex;
  net::any_io_executor work;  // keeps ex's run() going until the completion
  request_scope* scope;       // null once complete: the coroutine may outlive it
  serve_handler handler;
  const context ctx;  // copies: the abandoned coroutine still reads them
  const cancel_func cancel;
  const source_location where;
  stop_func watch;
  net::cancellation_signal coroutine_signal;
  std::atomic<bool> aborted{false};  // per-operation cancellation (from any thread)
  bool initiating = true;
  bool returned = false;  // the handler returned (or threw)
  bool complete = false;
};

// Per-operation cancellation: ends the request's context; the watch then completes with
// operation_aborted.
struct cancellation_handler {
  std::shared_ptr<serve_op> op;
  void operator()(net::cancellation_type_t) const {
    op->aborted.store(true, std::memory_order_release);
    op->cancel(op->where);
  }
};

void complete(const std::shared_ptr<serve_op>& op, error_code ec, response res,
              std::optional<answer_kind> kind) {
  op->complete = true;
  serve_access::answered(*op->scope, kind);
  op->scope = nullptr;
  op->watch();
  op->watch = stop_func();
  auto slot = net::get_associated_cancellation_slot(op->handler);
  if (slot.is_connected()) slot.clear();
  serve_handler h = std::move(op->handler);
  auto hex = net::get_associated_executor(h, op->ex);
  auto call = net::bind_executor(
      hex, [h = std::move(h), ec, res = std::move(res)]() mutable { std::move(h)(ec, std::move(res)); });
  // Through ex to the handler's executor; never inside the initiating function.
  if (op->initiating)
    net::post(op->ex, std::move(call));
  else
    net::dispatch(op->ex, std::move(call));
  op->work = net::any_io_executor();
}

// The answer for a request whose context is done before its handler answered.
void complete_done(const std::shared_ptr<serve_op>& op) {
  if (op->aborted.load(std::memory_order_acquire))
    return complete(op, net::error::operation_aborted, {}, std::nullopt);
  if (op->ctx.err() == asioctx::error::deadline_exceeded)
    return complete(op, {}, op->scope->answer(answer_kind::deadline_exceeded),
                    answer_kind::deadline_exceeded);
  const error_code why = cause(op->ctx);
  if (why == error::client_disconnected) return complete(op, why, {}, std::nullopt);
  complete(op, {}, op->scope->answer(answer_kind::shutting_down), answer_kind::shutting_down);
}

void take_over(const std::shared_ptr<serve_op>& op) {
  if (op->returned || op->complete) return;
  op->watch = stop_func();
  complete_done(op);
  op->coroutine_signal.emit(net::cancellation_type::terminal);  // what the handler awaits ends
}

void arm_watch(const std::shared_ptr<serve_op>& op) {
  if (op->returned || op->complete) return;
  op->watch = after_func(op->ctx, op->ex, [op] { take_over(op); });
}

net::awaitable<void> run(std::shared_ptr<serve_op> op, net::awaitable<response> call) {
  std::optional<response> res;
  bool failed = false;
  try {
    res.emplace(co_await std::move(call));
  } catch (...) {
    failed = true;
  }
  op->returned = true;
  if (op->complete) co_return;  // answered for; the result is dropped
  op->watch();
  op->watch = stop_func();
  const bool done = op->ctx.done();
  op->cancel(op->where);  // as Go's server does when the handler returns
  if (done)
    complete_done(op);
  else if (failed)
    complete(op, {}, op->scope->answer(answer_kind::handler_failed), answer_kind::handler_failed);
  else
    complete(op, {}, std::move(*res), std::nullopt);
}

}  // namespace

void start_serve(const net::any_io_executor& ex, request_scope& scope, net::awaitable<response> call,
                 serve_handler h) {
  auto op = std::make_shared<serve_op>(ex, scope, std::move(h));
  if (const std::optional<answer_kind> early = scope.early_answer()) {
    complete(op, {}, scope.answer(*early), early);
    return;
  }
  if (!call.valid()) {  // the context was done already: the handler was not called
    complete_done(op);
    return;
  }
  auto slot = net::get_associated_cancellation_slot(op->handler);
  if (slot.is_connected()) slot.template emplace<cancellation_handler>(cancellation_handler{op});
  net::co_spawn(ex, run(op, std::move(call)),
                net::bind_cancellation_slot(op->coroutine_signal.slot(), net::detached));
  // After the coroutine's first run, which co_spawn posts (or dispatches, when called on ex).
  net::post(ex, [op] { arm_watch(op); });
  op->initiating = false;
}

}  // namespace detail
}  // namespace http
}  // namespace asioctx
