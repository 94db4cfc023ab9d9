//
// src/http/beast_impl.cpp: Beast's compiled part, built once (ASIOCTX_SEPARATE_COMPILATION).
//

#include <boost/beast/src.hpp>
