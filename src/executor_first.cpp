// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

//
// src/executor_first.cpp: the executor-first with_deadline/with_timeout arm the deadline at once
// on an execution context's deadline service (detail/arm_site.hpp says how the site is found with
// no Asio header). The service's timer runs on an executor made from the execution context
// itself: an io_context's, a thread_pool's, the system_context's, untracked. No executor of the
// caller's is kept, so a tracked executor or a strand holds nothing once its work is done.
//

#include <asioctx/context.hpp>
#include <asioctx/detail/context_core.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/system_context.hpp>
#include <boost/asio/thread_pool.hpp>

namespace asioctx {
namespace detail {

namespace {

namespace net = boost::asio;

// The core of ctx; if its timer has no executor yet, make() gives one.
template <class Make>
context_core* core_with_timer(net::execution_context& ctx, Make make) {
  context_core* core = core_of(ctx);
  if (!core->has_executor()) core->set_executor(make());
  return core;
}

template <class Context>
context_core* core_of_own(void* where) {
  auto& ctx = *static_cast<Context*>(where);
  return core_with_timer(ctx, [&] { return net::any_io_executor(ctx.get_executor()); });
}

// Null for an execution context whose timer has no executor yet, nor can be given one here: the
// deadline then arms on the first operation or waiter bound there, as the executor-free form's.
context_core* core_at(arm_site site) {
  switch (site.k) {
    case arm_site::kind::io_context:
      return core_of_own<net::io_context>(site.where);
    case arm_site::kind::thread_pool:
      return core_of_own<net::thread_pool>(site.where);
    case arm_site::kind::system_context:
      return core_of_own<net::system_context>(site.where);
    case arm_site::kind::any_io_executor: {
      // Its target is not known: the executor itself, holding no work.
      const auto& ex = *static_cast<const net::any_io_executor*>(site.where);
      return core_with_timer(net::query(ex, net::execution::context), [&] {
        return net::any_io_executor(net::prefer(ex, net::execution::outstanding_work.untracked));
      });
    }
    case arm_site::kind::other:
      break;
  }
  context_core* core = core_of(*static_cast<net::execution_context*>(site.where));
  return core->has_executor() ? core : nullptr;
}

}  // namespace

void arm_at_once(const context& c, arm_site site) {
  node* n = access::get(c);
  cancel_node* cn = n != nullptr ? n->canceler() : nullptr;
  if (cn == nullptr || !cn->has_deadline()) return;
  if (context_core* core = core_at(site)) tree::pin(cn, tree::arm(cn, core));
}

}  // namespace detail
}  // namespace asioctx
