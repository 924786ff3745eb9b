/* der internals shared by the writer and the reader. */
#ifndef CCTSA_DER_DER_INT_H
#define CCTSA_DER_DER_INT_H

#include <stdint.h>

#include "cctsa/der.h"

/* Civil date (proleptic Gregorian, UTC) <-> days since 1970-01-01. */
int64_t cctsa_der_days_from_civil(int64_t y, unsigned m, unsigned d);
void cctsa_der_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/* Days in month m (1..12) of year y. */
unsigned cctsa_der_month_days(int64_t y, unsigned m);
/* 1 if s/len is well-formed UTF-8 without NUL, no overlongs, no surrogates. */
int cctsa_der_utf8_ok(const uint8_t *s, size_t len);
/* 1 if c is in the PrintableString alphabet. */
int cctsa_der_printable_ok(uint8_t c);

#endif
