//
// src/http/client.cpp: outbound requests under a context.
//

#include <asioctx/bind.hpp>
#include <asioctx/http/client.hpp>
#include <asioctx/http/timeout_header.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/system/system_error.hpp>

namespace asioctx {
namespace http {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// The error a context reports, counting a passed deadline whose timer has not run yet.
error_code context_error(const context& ctx) {
  if (error_code e = ctx.err()) return e;
  if (auto d = ctx.deadline(); d && *d <= clock::now()) return asioctx::error::deadline_exceeded;
  return {};
}

[[noreturn]] void fail(tcp::socket& socket, const error_code& ec) {
  error_code ignored;
  socket.close(ignored);
  throw boost::system::system_error(ec);
}

}  // namespace

bool set_budget_header(request& req, const context& ctx) {
  if (context_error(ctx)) return false;
  const auto field = boost::beast::string_view(grpc_timeout_field.data(), grpc_timeout_field.size());
  if (auto d = ctx.deadline()) {
    const auto left = remaining(*d, clock::now());
    if (left <= std::chrono::nanoseconds::zero()) return false;
    req.set(field, format_grpc_timeout(left));
  } else {
    req.erase(field);
  }
  return true;
}

net::awaitable<response> async_send(context ctx, tcp::socket& socket, boost::beast::flat_buffer& buffer,
                                    request req, client_options options) {
  if (!set_budget_header(req, ctx)) {
    error_code e = context_error(ctx);
    throw boost::system::system_error(e ? e : error_code(asioctx::error::deadline_exceeded));
  }
  req.prepare_payload();
  // Whatever ends the exchange early (the context, the coroutine's own cancellation, an I/O
  // error) leaves the stream mid-message: the socket is closed, never reused.
  auto [wec, wn] = co_await bhttp::async_write(socket, req, asioctx::bind(ctx, use_tuple));
  if (wec) fail(socket, context_error(ctx) ? context_error(ctx) : wec);
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(options.body_limit);
  auto [rec, rn] = co_await bhttp::async_read(socket, buffer, parser, asioctx::bind(ctx, use_tuple));
  if (rec) fail(socket, context_error(ctx) ? context_error(ctx) : rec);
  co_return parser.release();
}

net::awaitable<response> async_fetch(context ctx, std::string host, std::string port, request req,
                                     client_options options) {
  if (error_code e = context_error(ctx)) throw boost::system::system_error(e);
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  auto [rec, endpoints] = co_await resolver.async_resolve(host, port, asioctx::bind(ctx, use_tuple));
  if (rec) throw boost::system::system_error(context_error(ctx) ? context_error(ctx) : rec);
  tcp::socket socket(ex);
  auto [cec, ep] = co_await net::async_connect(socket, endpoints, asioctx::bind(ctx, use_tuple));
  if (cec) fail(socket, context_error(ctx) ? context_error(ctx) : cec);
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (req.find(bhttp::field::host) == req.end()) req.set(bhttp::field::host, host + ":" + port);
  boost::beast::flat_buffer buffer;
  response res = co_await async_send(std::move(ctx), socket, buffer, std::move(req), options);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
  co_return res;
}

}  // namespace http
}  // namespace asioctx
