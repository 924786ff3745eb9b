# x509: the test PKI and the offline CA against independent verifiers
# (OpenSSL 3.0 `openssl verify` / `x509 -text`, Node 26 with OpenSSL 3.5, pkijs).
cctsa_script_test(x509_testpki LABEL interop TIMEOUT 300
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/x509/testpki.sh)
cctsa_script_test(x509_ca LABEL interop TIMEOUT 300
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/x509/ca.sh)
