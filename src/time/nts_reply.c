/*
 * The NTS reply checker (RFC 8915 §5.7, RFC 5905 §8). Order: public framing
 * (size, version, mode, origin timestamp), extension fields, Unique Identifier
 * echo, authenticator, then the server's claims (KoD, stratum, leap, timestamps,
 * root distance). Every rejection bumps exactly one counter and leaves the
 * request pending, so forged datagrams cannot cancel a genuine reply.
 */
#include <string.h>

#include "base/ct.h"
#include "time_int.h"

#define MAX_DISTANCE_NS 1500000000LL /* RFC 5905 MAXDIST: 1.5 s */

typedef struct {
	uint8_t li, vn, mode, stratum;
	int8_t precision;
	uint32_t root_delay, root_disp, refid;
	uint64_t org, rec, xmt;
} ntp_hdr;

static cctsa_err ntp_hdr_read(ntp_hdr *h, cctsa_cursor *c)
{
	uint8_t b0 = 0, poll = 0, prec = 0;
	uint64_t ref = 0;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_cursor_get_u8(c, &b0));
	CCTSA_TRY(cctsa_cursor_get_u8(c, &h->stratum));
	CCTSA_TRY(cctsa_cursor_get_u8(c, &poll));
	CCTSA_TRY(cctsa_cursor_get_u8(c, &prec));
	CCTSA_TRY(cctsa_cursor_get_u32be(c, &h->root_delay));
	CCTSA_TRY(cctsa_cursor_get_u32be(c, &h->root_disp));
	CCTSA_TRY(cctsa_cursor_get_u32be(c, &h->refid));
	CCTSA_TRY(cctsa_cursor_get_u64be(c, &ref));
	CCTSA_TRY(cctsa_cursor_get_u64be(c, &h->org));
	CCTSA_TRY(cctsa_cursor_get_u64be(c, &h->rec));
	CCTSA_TRY(cctsa_cursor_get_u64be(c, &h->xmt));
	h->li = (uint8_t)(b0 >> 6);
	h->vn = (uint8_t)((b0 >> 3) & 7);
	h->mode = (uint8_t)(b0 & 7);
	h->precision = (int8_t)prec;
out:
	return err;
}

/* Reads the authenticator body: nonce and ciphertext views. */
static cctsa_err nts_auth_body(const cctsa_ntp_ef *ef, const uint8_t **nonce, size_t *nlen,
			       const uint8_t **ct, size_t *clen, cctsa_diag *diag)
{
	cctsa_cursor c;
	uint16_t nl = 0, cl = 0;

	cctsa_cursor_init(&c, ef->body, (size_t)ef->len - 4);
	if (cctsa_cursor_get_u16be(&c, &nl) != CCTSA_OK || cctsa_cursor_get_u16be(&c, &cl) != CCTSA_OK ||
	    cctsa_cursor_get_view(&c, nonce, nl) != CCTSA_OK ||
	    cctsa_cursor_skip(&c, (4 - nl % 4) % 4) != CCTSA_OK ||
	    cctsa_cursor_get_view(&c, ct, cl) != CCTSA_OK ||
	    cctsa_cursor_skip(&c, (4 - cl % 4) % 4) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "NTS authenticator: lengths overrun the field");
	}
	if (nl < CCTSA_NTS_NONCE_LEN || cl < CCTSA_NTS_SIV_TAG_LEN) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED,
				  "NTS authenticator: nonce %u / ciphertext %u too short", nl, cl);
	}
	*nlen = nl;
	*clen = cl;
	return CCTSA_OK; /* any additional padding after the ciphertext is ignored */
}

/* Decrypts and takes the cookies of the encrypted extension fields. */
static cctsa_err nts_take_cookies(cctsa_nts_session *s, const uint8_t *pt, size_t pt_len,
				  cctsa_diag *diag)
{
	cctsa_ntp_ef efs[NTP_MAX_EFS];
	size_t n = 0;
	cctsa_err err = cctsa_ntp_ef_parse(efs, NTP_MAX_EFS, &n, pt, pt_len, diag);

	if (err != CCTSA_OK) {
		return err;
	}
	for (size_t i = 0; i < n; i++) {
		if (efs[i].type == CCTSA_NTP_EF_COOKIE) {
			/* the body may be padded; chrony/RFC cookies fill it, so keep it whole */
			cctsa_nts_store_cookie(s, efs[i].body, (size_t)efs[i].len - 4);
			s->ctr.cookies_in++;
		} /* other encrypted fields: not defined for replies, ignored (RFC 7822) */
	}
	return CCTSA_OK;
}

typedef struct {
	const cctsa_ntp_ef *uid, *auth;
} nts_efs_found;

/* Classifies the plaintext extension fields of a reply. */
static cctsa_err nts_scan_efs(nts_efs_found *f, const cctsa_ntp_ef *efs, size_t n, cctsa_diag *diag)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		switch (efs[i].type) {
		case CCTSA_NTP_EF_UID:
			if (f->uid != NULL) {
				return cctsa_fail(diag, CCTSA_E_MALFORMED, "NTS reply: two unique identifiers");
			}
			f->uid = &efs[i];
			break;
		case CCTSA_NTP_EF_AUTH:
			if (i != n - 1) {
				return cctsa_fail(diag, CCTSA_E_MALFORMED,
						  "NTS reply: authenticator is not the last field");
			}
			f->auth = &efs[i];
			break;
		case CCTSA_NTP_EF_COOKIE:
		case CCTSA_NTP_EF_PLACEHOLDER:
			return cctsa_fail(diag, CCTSA_E_MALFORMED,
					  "NTS reply: unencrypted cookie or placeholder field");
		default:
			break; /* unknown fields are covered by the authenticator and ignored */
		}
	}
	return CCTSA_OK;
}

/* Authenticates the reply and takes its cookies. */
static cctsa_err nts_check_auth(cctsa_nts_session *s, const uint8_t *pkt, const nts_efs_found *f,
				cctsa_diag *diag)
{
	const uint8_t *nonce = NULL, *ct = NULL;
	size_t nlen = 0, clen = 0;
	uint8_t pt[CCTSA_NTP_PACKET_MAX];
	cctsa_err err = CCTSA_OK;

	if (f->auth == NULL) {
		s->ctr.auth_failed++;
		return cctsa_fail(diag, CCTSA_E_VERIFY, "NTS reply is not authenticated");
	}
	err = nts_auth_body(f->auth, &nonce, &nlen, &ct, &clen, diag);
	if (err != CCTSA_OK) {
		s->ctr.malformed++;
		return err;
	}
	err = cctsa_nts_siv_open(pt, s->keys->s2c, CCTSA_NTS_KEY_LEN, nonce, nlen, pkt, f->auth->offset,
				 ct, clen);
	if (err != CCTSA_OK) {
		s->ctr.auth_failed++;
		return cctsa_fail(diag, CCTSA_E_VERIFY, "NTS reply: authenticator does not verify");
	}
	err = nts_take_cookies(s, pt, clen - CCTSA_NTS_SIV_TAG_LEN, diag);
	if (err != CCTSA_OK) {
		s->ctr.malformed++;
	}
	cctsa_wipe(pt, sizeof(pt));
	return err;
}

/* The server's claims: synchronised, sane stratum, timestamps and distance. */
static cctsa_err ntp_sane(cctsa_nts_session *s, const ntp_hdr *h, cctsa_diag *diag)
{
	const char *why = NULL;

	if (h->li == 3) {
		why = "leap indicator says unsynchronised";
	} else if (h->stratum == 0 || h->stratum >= 16) {
		why = "stratum out of range";
	} else if (h->rec == 0 || h->xmt == 0) {
		why = "zero receive or transmit timestamp";
	} else if (cctsa_time_short_to_ns(h->root_delay) / 2 + cctsa_time_short_to_ns(h->root_disp) >
		   MAX_DISTANCE_NS) {
		why = "root distance above 1.5 s";
	}
	if (why != NULL) {
		s->ctr.insane++;
		return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "NTP reply: %s", why);
	}
	return CCTSA_OK;
}

static int64_t prec_ns(int8_t p)
{
	if (p >= 0) {
		return 1000000000LL;
	}
	if (p < -30) {
		return 1;
	}
	return (int64_t)(1000000000ULL >> -p) + 1;
}

static void ntp_sample(cctsa_nts_sample *o, const ntp_hdr *h, int64_t t1, int64_t t4)
{
	memset(o, 0, sizeof(*o));
	o->t1_ns = t1;
	o->t2_ns = cctsa_time_ntp_to_unix_ns(h->rec);
	o->t3_ns = cctsa_time_ntp_to_unix_ns(h->xmt);
	o->t4_ns = t4;
	o->offset_ns = ((o->t2_ns - o->t1_ns) + (o->t3_ns - o->t4_ns)) / 2;
	o->delay_ns = (o->t4_ns - o->t1_ns) - (o->t3_ns - o->t2_ns);
	if (o->delay_ns < 0) {
		o->delay_ns = 0;
	}
	o->root_delay_ns = cctsa_time_short_to_ns(h->root_delay);
	o->root_disp_ns = cctsa_time_short_to_ns(h->root_disp);
	o->stratum = h->stratum;
	o->leap = h->li;
	o->precision = h->precision;
	o->refid = h->refid;
	/* +1 ns rounds up the halvings; the client side's precision is taken as 1 us. */
	o->error_ns = o->delay_ns / 2 + o->root_delay_ns / 2 + o->root_disp_ns + prec_ns(h->precision) +
		      1000 + 1;
}

/* Framing and origin: before any parsing of extension fields. */
static cctsa_err nts_precheck(cctsa_nts_session *s, ntp_hdr *h, const uint8_t *pkt, size_t len,
			      cctsa_diag *diag)
{
	cctsa_cursor c;

	if (!s->pending) {
		s->ctr.unexpected++;
		return cctsa_fail(diag, CCTSA_E_STATE, "NTS reply with no request pending (replay?)");
	}
	cctsa_cursor_init(&c, pkt, len);
	if (len < CCTSA_NTP_HEADER_LEN || len > CCTSA_NTP_PACKET_MAX || len % 4 != 0 ||
	    ntp_hdr_read(h, &c) != CCTSA_OK) {
		s->ctr.malformed++;
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "NTP reply of %zu bytes", len);
	}
	if (h->vn != 4 || h->mode != 4) {
		s->ctr.malformed++;
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "NTP reply version %u mode %u", h->vn, h->mode);
	}
	if (h->org != s->xmt) {
		s->ctr.unexpected++;
		return cctsa_fail(diag, CCTSA_E_VERIFY, "NTP reply: origin timestamp is not ours");
	}
	return CCTSA_OK;
}

cctsa_err cctsa_nts_reply(cctsa_nts_session *s, cctsa_nts_sample *out, const uint8_t *pkt,
			  size_t len, int64_t t1_ns, int64_t t4_ns, cctsa_diag *diag)
{
	cctsa_ntp_ef efs[NTP_MAX_EFS];
	nts_efs_found f;
	ntp_hdr h;
	size_t n = 0;
	cctsa_err err = CCTSA_OK;

	if (s == NULL || out == NULL || (pkt == NULL && len != 0)) {
		return CCTSA_E_USAGE;
	}
	memset(out, 0, sizeof(*out));
	CCTSA_TRY(nts_precheck(s, &h, pkt, len, diag));
	err = cctsa_ntp_ef_parse(efs, NTP_MAX_EFS, &n, pkt + CCTSA_NTP_HEADER_LEN,
				 len - CCTSA_NTP_HEADER_LEN, diag);
	if (err == CCTSA_OK) {
		err = nts_scan_efs(&f, efs, n, diag);
	}
	if (err != CCTSA_OK) {
		s->ctr.malformed++;
		goto out;
	}
	for (size_t i = 0; i < n; i++) { /* offsets were relative to the EF area */
		efs[i].offset += CCTSA_NTP_HEADER_LEN;
	}
	if (f.uid == NULL || f.uid->len - 4u != sizeof(s->uid) ||
	    !cctsa_ct_memeq(f.uid->body, s->uid, sizeof(s->uid))) {
		s->ctr.unexpected++;
		err = cctsa_fail(diag, CCTSA_E_VERIFY, "NTS reply: unique identifier is not ours");
		goto out;
	}
	if (h.stratum == 0) { /* kiss-o'-death; an NTS NAK carries no authenticator */
		char code[5] = { (char)(h.refid >> 24), (char)(h.refid >> 16), (char)(h.refid >> 8),
				 (char)h.refid, 0 };
		for (size_t i = 0; i < 4; i++) {
			code[i] = (code[i] >= 0x20 && code[i] < 0x7f) ? code[i] : '?';
		}
		s->ctr.kod++;
		err = cctsa_fail(diag, CCTSA_E_STATE, "NTP kiss-o'-death %s", code);
		goto out;
	}
	CCTSA_TRY(nts_check_auth(s, pkt, &f, diag));
	s->pending = 0; /* authentic: this request is answered, a second copy is a replay */
	CCTSA_TRY(ntp_sane(s, &h, diag));
	ntp_sample(out, &h, t1_ns, t4_ns);
	s->ctr.accepted++;
out:
	if (err != CCTSA_OK) {
		memset(out, 0, sizeof(*out));
	}
	return err;
}
