// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Must not compile (DESIGN rule 13): async_fetch has no I/O object, so a plain callback with no
// associated executor would leave the exchange to a hidden system_executor. ctest checks that
// the compiler's message says how to write it.
#include <asioctx/http/client.hpp>

int main() {
  asioctx::http::async_fetch(asioctx::background(), "127.0.0.1", "80",
                             asioctx::http::request(boost::beast::http::verb::get, "/", 11), {},
                             [](asioctx::error_code, asioctx::http::response) {});
}
