/* net: the mesh's internal types, shared by mesh.c and mesh_chan.c. */
#ifndef CCTSA_NET_MESH_INT_H
#define CCTSA_NET_MESH_INT_H

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <sys/socket.h>

#include "cctsa/net.h"
#include "net_int.h"

typedef struct chan {
	struct cctsa_net_mesh *m;
	struct bufferevent *bev;
	struct event *timer; /* up-timeout */
	int outbound;
	int peer; /* expected (outbound) or claimed in HELLO (inbound); -1 before */
	uint8_t nonce[CCTSA_NET_NONCE_LEN]; /* ours, sent in HELLO */
	uint8_t peer_key_hash[CCTSA_NET_HASH_LEN];
	int tls_done, got_hello, verified, got_ready, up, dead;
	cctsa_net_peer_info info;
	cctsa_snp_check refuse_check; /* first failed check of a refused ATTEST */
	cctsa_buf pl;
	struct chan *next;
} chan;

typedef struct {
	struct cctsa_net_mesh *m;
	unsigned id;
	struct sockaddr_storage addr;
	int addr_len;
	chan *out;  /* our current outbound channel to it (j > id) */
	chan *up;   /* the verified channel in use */
	struct event *retry;
	unsigned backoff_ms;
} peer_slot;

struct cctsa_net_mesh {
	struct event_base *base;
	cctsa_net_mesh_config cfg; /* blobs owned, hosts cleared */
	cctsa_net_peer_rules rules;
	SSL_CTX *ssl;
	uint8_t key_hash[CCTSA_NET_HASH_LEN];
	struct evconnlistener *lis;
	uint16_t port;
	peer_slot peers[CCTSA_NET_MAX_NODES];
	chan *chans;
	chan *graveyard;
	struct event *reaper;
	int closing;
	unsigned up_timeout_ms;
	uint64_t bytes_sent, bytes_received;
};

void mesh_read_cb(struct bufferevent *bev, void *arg);
void mesh_event_cb(struct bufferevent *bev, short what, void *arg);
void chan_close(chan *c, const cctsa_net_refusal *why, int quiet);
void chan_fail(chan *c, cctsa_net_refuse_reason r, const cctsa_diag *d);
CCTSA_MUST_USE cctsa_err chan_send(chan *c, uint8_t type, const uint8_t *p, size_t len, cctsa_diag *diag);
int64_t mesh_now(void);

#endif
