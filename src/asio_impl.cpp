//
// src/asio_impl.cpp: Asio's compiled part, built once (ASIOCTX_SEPARATE_COMPILATION).
//

#include <boost/asio/impl/src.hpp>
