// Copyright (c) 2026 The asioctx authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// A self-signed certificate for localhost and 127.0.0.1 (P-256, valid until 2126) and its key,
// for the TLS tests only. Made with:
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
//     -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1
#ifndef ASIOCTX_TEST_HTTP_TLS_CERTIFICATE_HPP
#define ASIOCTX_TEST_HTTP_TLS_CERTIFICATE_HPP

namespace http_test {

inline constexpr char tls_certificate[] = R"(
-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUAuWvr4gVGgvFBKycGDR2r6JNbswwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNTA3NDg1MloYDzIxMjYxMTEx
MDc0ODUyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAScQ82qBtDq+U9Th6J6OUVUXLr3D0hY+iFPRvuzLV6WdxV25v0W4p35
/Q0OxCk2OKWK+2YfXpgLkJ+bWgMfPr6ho28wbTAdBgNVHQ4EFgQUpcVdLTSkL2B8
173/UuTp3Kai1EswHwYDVR0jBBgwFoAUpcVdLTSkL2B8173/UuTp3Kai1EswDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSAAwRQIgXqGKsfR7ZrbrO/nY5mJ899BI6uqpbmHJThgNL9ImorcCIQCa
ZruVi//yQw069t6v3xu1ZThGTS09cqyvFb8uLDUIWw==
-----END CERTIFICATE-----
)";

inline constexpr char tls_private_key[] = R"(
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgvigiL6igrMr5uwSu
TvTaWWOH6Sg5WsQ4ydfa68OpDJ+hRANCAAScQ82qBtDq+U9Th6J6OUVUXLr3D0hY
+iFPRvuzLV6WdxV25v0W4p35/Q0OxCk2OKWK+2YfXpgLkJ+bWgMfPr6h
-----END PRIVATE KEY-----
)";

}  // namespace http_test

#endif
