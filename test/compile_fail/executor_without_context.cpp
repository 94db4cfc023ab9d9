// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// An executor with no context() member (only Asio's query) given to an executor-first form: the
// message says to pass its execution context instead.

#include <asioctx/context.hpp>

struct query_only_executor {
  template <class F>
  void execute(F&&) const {}
};

int main() { asioctx::with_timeout(query_only_executor(), asioctx::background(), std::chrono::seconds(1)); }
