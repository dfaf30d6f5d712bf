/*
 * timing-probe.c -- measures the token timing that a streaming OpenAI-compatible server delivers.
 *
 * A single-threaded epoll client. It opens N connections to 127.0.0.1:PORT at once; each sends one
 * streaming chat completion
 *
 *   POST /v1/chat/completions   X-Emulator-Output-Tokens: T
 *   {"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true}
 *
 * and reads the answer (Content-Length, chunked or close-delimited body), splitting it into SSE
 * lines. A line counts as a content frame when it starts with `data: {` and holds
 * `"delta":{"content":"` followed by at least one character of text. For every stream it records
 *
 *   TTFT  the write that completes the request starts -> first content frame received
 *   ITL   every gap between two consecutive content frames
 *
 * A frame is "received" when the read() that completes its line returns (user-space time). With
 * -k the probe also asks the kernel for the arrival time of the data (SO_TIMESTAMPNS: the time
 * the last segment of that read reached the socket) and reports a second set of figures that
 * leave out the probe's own scheduling delay. Frames that arrive in the same read() as the one
 * before them have a gap of about 0 and are counted as "coalesced".
 *
 * Output: a summary of key=value lines on stdout (times in milliseconds), and with -o FILE one
 * line per stream:  id ok status frames sent_us ttft_us gap_us,gap_us,...  where sent_us is when
 * the write that completed the request started, from the start of the run (kernel times with -k in a second
 * file, FILE.kernel). With -d DIR the body of every stream whose number of content frames is not
 * -T is written to DIR/stream-ID.txt.
 *
 * Build: cc -O2 -Wall -o timing-probe timing-probe.c -lm
 * Run:   ulimit -n 20000; ./timing-probe -n 1000 -p 8080 -T 100 -t 60 -o streams.txt
 * Loopback only; at most 20000 streams; -t bounds the whole run (default 60 s).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXN 20000
#define LINEMAX 8192

enum { S_CONNECTING, S_SENDING, S_HEADERS, S_BODY, S_DONE, S_FAILED };
enum { B_LENGTH, B_CHUNKED, B_CLOSE };

struct stream {
  int fd, state, status, body_kind;
  size_t sent;
  uint64_t t_sent, t_sent_rt;        /* monotonic, realtime (for kernel timestamps) */
  long long remaining;               /* bytes left of Content-Length or of the current chunk */
  int chunk_state;                   /* 0 size line, 1 data, 2 CRLF after data, 3 trailers */
  char hdr[4096]; size_t hlen;
  char line[LINEMAX]; size_t llen; int line_over;
  char csz[32]; size_t cszlen;
  uint64_t *t, *tk;                  /* frame times: user space (monotonic), kernel (realtime) */
  unsigned nframes, cap;
  unsigned coalesced;                /* frames that came in the same read() as the previous one */
  uint64_t last_read_id;
  char *raw; size_t rawlen, rawcap;  /* the de-chunked body, kept with -d */
};

static struct stream S[MAXN];
static char req[1024];
static size_t reqlen;
static int use_kernel_ts;
static const char *dump_dir;         /* -d: bodies of streams with an unexpected frame count */
static uint64_t read_id;             /* counts read() calls, to spot frames sharing one */
static uint64_t cur_t, cur_tk;       /* times of the read being parsed */

static uint64_t clock_ns(clockid_t c)
{
  struct timespec ts;
  clock_gettime(c, &ts);
  return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
  return x < y ? -1 : x > y;
}

/* nearest-rank percentile of a sorted array */
static double pct(const uint64_t *v, size_t n, double p)
{
  if (n == 0) return 0;
  size_t k = (size_t) (p / 100.0 * (double) n + 0.999999);
  if (k < 1) k = 1;
  if (k > n) k = n;
  return (double) v[k - 1];
}

static void fail(struct stream *s)
{
  if (s->state != S_DONE && s->state != S_FAILED) {
    s->state = S_FAILED;
    close(s->fd);
  }
}

static void finish(struct stream *s)
{
  s->state = S_DONE;
  close(s->fd);
}

static void on_line(struct stream *s)
{
  static const char pat[] = "\"delta\":{\"content\":\"";
  if (s->line_over || s->llen < 7 || memcmp(s->line, "data: {", 7) != 0) return;
  char *p = memmem(s->line, s->llen, pat, sizeof pat - 1);
  if (!p) return;
  p += sizeof pat - 1;
  if (p >= s->line + s->llen || *p == '"') return; /* empty text */
  if (s->nframes == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 128;
    s->t = realloc(s->t, s->cap * sizeof *s->t);
    s->tk = realloc(s->tk, s->cap * sizeof *s->tk);
    if (!s->t || !s->tk) { perror("realloc"); exit(2); }
  }
  if (s->nframes > 0 && s->last_read_id == read_id) s->coalesced++;
  s->last_read_id = read_id;
  s->t[s->nframes] = cur_t;
  s->tk[s->nframes] = cur_tk;
  s->nframes++;
}

/* body bytes (after de-chunking): SSE lines */
static void on_body(struct stream *s, const char *b, size_t n)
{
  if (dump_dir) {
    if (s->rawlen + n > s->rawcap) {
      s->rawcap = (s->rawlen + n) * 2;
      s->raw = realloc(s->raw, s->rawcap);
      if (!s->raw) { perror("realloc"); exit(2); }
    }
    memcpy(s->raw + s->rawlen, b, n);
    s->rawlen += n;
  }
  for (size_t i = 0; i < n; i++) {
    char c = b[i];
    if (c == '\n') {
      if (s->llen && s->line[s->llen - 1] == '\r') s->llen--;
      on_line(s);
      s->llen = 0;
      s->line_over = 0;
    } else if (s->llen < LINEMAX) {
      s->line[s->llen++] = c;
    } else {
      s->line_over = 1;
    }
  }
}

/* returns 1 when the body ended */
static int on_chunked(struct stream *s, const char *b, size_t n)
{
  size_t i = 0;
  while (i < n) {
    switch (s->chunk_state) {
    case 0: /* size line */
      if (b[i] == '\n') {
        s->csz[s->cszlen] = 0;
        s->remaining = strtoll(s->csz, NULL, 16);
        s->cszlen = 0;
        s->chunk_state = s->remaining == 0 ? 3 : 1;
      } else if (s->cszlen < sizeof s->csz - 1) {
        s->csz[s->cszlen++] = b[i];
      }
      i++;
      break;
    case 1: { /* data */
      size_t take = (size_t) s->remaining < n - i ? (size_t) s->remaining : n - i;
      on_body(s, b + i, take);
      s->remaining -= (long long) take;
      i += take;
      if (s->remaining == 0) s->chunk_state = 2;
      break;
    }
    case 2: /* CRLF after the data */
      if (b[i] == '\n') s->chunk_state = 0;
      i++;
      break;
    case 3: /* trailers: ends at an empty line */
      if (b[i] == '\n') {
        if (s->cszlen == 0) return 1;
        s->cszlen = 0;
      } else if (b[i] != '\r') {
        s->cszlen = 1;
      }
      i++;
      break;
    }
  }
  return 0;
}

static void on_data(struct stream *s, const char *b, size_t n)
{
  if (s->state == S_HEADERS) {
    size_t room = sizeof s->hdr - 1 - s->hlen, take = n < room ? n : room;
    memcpy(s->hdr + s->hlen, b, take);
    s->hlen += take;
    s->hdr[s->hlen] = 0;
    char *end = strstr(s->hdr, "\r\n\r\n");
    if (!end) {
      if (s->hlen == sizeof s->hdr - 1) fail(s);
      return;
    }
    size_t hl = (size_t) (end - s->hdr) + 4;
    size_t already = s->hlen - take;         /* header bytes from earlier reads */
    size_t consumed = hl - already;          /* bytes of b that belong to the headers */
    s->status = atoi(s->hdr + 9);
    *end = 0;
    for (char *p = s->hdr; *p; p++) *p = (char) (*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    char *cl = strstr(s->hdr, "\ncontent-length:");
    if (strstr(s->hdr, "\ntransfer-encoding:") && strstr(s->hdr, "chunked")) {
      s->body_kind = B_CHUNKED;
    } else if (cl) {
      s->body_kind = B_LENGTH;
      s->remaining = atoll(cl + 16);
    } else {
      s->body_kind = B_CLOSE;
    }
    s->state = S_BODY;
    if (s->body_kind == B_LENGTH && s->remaining == 0) { finish(s); return; }
    b += consumed;
    n -= consumed;
  }
  if (s->state != S_BODY || n == 0) return;
  switch (s->body_kind) {
  case B_CHUNKED:
    if (on_chunked(s, b, n)) finish(s);
    break;
  case B_LENGTH: {
    size_t take = (size_t) s->remaining < n ? (size_t) s->remaining : n;
    on_body(s, b, take);
    s->remaining -= (long long) take;
    if (s->remaining == 0) finish(s);
    break;
  }
  default:
    on_body(s, b, n);
  }
}

static void try_send(struct stream *s, int ep)
{
  /* The clock is read before the write that completes the request, as a client's timer starts
   * before it sends: a probe descheduled around the write makes its TTFT longer, never shorter. */
  uint64_t t = 0, t_rt = 0;
  while (s->sent < reqlen) {
    t = clock_ns(CLOCK_MONOTONIC);
    t_rt = clock_ns(CLOCK_REALTIME);
    ssize_t w = write(s->fd, req + s->sent, reqlen - s->sent);
    if (w < 0) {
      if (errno == EAGAIN) return;
      fail(s);
      return;
    }
    s->sent += (size_t) w;
  }
  s->t_sent = t;
  s->t_sent_rt = t_rt;
  s->state = S_HEADERS;
  struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t) (s - S) };
  epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
}

static void do_read(struct stream *s)
{
  static char buf[65536];
  char cbuf[CMSG_SPACE(sizeof(struct timespec))];
  struct iovec iov = { buf, sizeof buf };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
  if (use_kernel_ts) { mh.msg_control = cbuf; mh.msg_controllen = sizeof cbuf; }
  ssize_t r = recvmsg(s->fd, &mh, 0);
  if (r < 0) {
    if (errno != EAGAIN) fail(s);
    return;
  }
  read_id++;
  cur_t = clock_ns(CLOCK_MONOTONIC);
  cur_tk = 0;
  if (use_kernel_ts) {
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        struct timespec ts;
        memcpy(&ts, CMSG_DATA(c), sizeof ts);
        cur_tk = (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
      }
    }
  }
  if (r == 0) {
    if (s->state == S_BODY && s->body_kind == B_CLOSE) finish(s);
    else fail(s);
    return;
  }
  on_data(s, buf, (size_t) r);
}

struct summary { uint64_t *ttft, *itl; size_t nt, ni; };

static uint64_t t_start;

static void collect(int n, int kernel, struct summary *m, FILE *out)
{
  m->ttft = malloc(sizeof(uint64_t) * (size_t) n);
  size_t total = 0;
  for (int i = 0; i < n; i++) total += S[i].nframes;
  m->itl = malloc(sizeof(uint64_t) * (total + 1));
  m->nt = m->ni = 0;
  for (int i = 0; i < n; i++) {
    struct stream *s = &S[i];
    int ok = s->state == S_DONE && s->status == 200 && s->nframes > 0;
    uint64_t *t = kernel ? s->tk : s->t, t0 = kernel ? s->t_sent_rt : s->t_sent;
    int usable = ok && (!kernel || (s->nframes && t[0]));
    if (out) fprintf(out, "%d %d %d %u %lld %lld ", i, ok, s->status, s->nframes,
                     s->t_sent ? (long long) ((s->t_sent - t_start) / 1000) : -1LL,
                     usable ? (long long) ((t[0] - t0) / 1000) : -1LL);
    if (usable) {
      m->ttft[m->nt++] = t[0] - t0;
      for (unsigned k = 1; k < s->nframes; k++) {
        uint64_t g = t[k] > t[k - 1] ? t[k] - t[k - 1] : 0;
        m->itl[m->ni++] = g;
        if (out) fprintf(out, k == 1 ? "%llu" : ",%llu", (unsigned long long) (g / 1000));
      }
    }
    if (out) fputc('\n', out);
  }
  qsort(m->ttft, m->nt, sizeof *m->ttft, cmp_u64);
  qsort(m->itl, m->ni, sizeof *m->itl, cmp_u64);
}

static void print_summary(const char *prefix, struct summary *m)
{
  double sum = 0;
  for (size_t i = 0; i < m->nt; i++) sum += (double) m->ttft[i];
  printf("%sttft_count=%zu\n", prefix, m->nt);
  if (m->nt) {
    printf("%sttft_mean_ms=%.3f\n", prefix, sum / (double) m->nt / 1e6);
    printf("%sttft_min_ms=%.3f\n", prefix, m->ttft[0] / 1e6);
    printf("%sttft_p50_ms=%.3f\n", prefix, pct(m->ttft, m->nt, 50) / 1e6);
    printf("%sttft_p90_ms=%.3f\n", prefix, pct(m->ttft, m->nt, 90) / 1e6);
    printf("%sttft_p99_ms=%.3f\n", prefix, pct(m->ttft, m->nt, 99) / 1e6);
    printf("%sttft_max_ms=%.3f\n", prefix, m->ttft[m->nt - 1] / 1e6);
  }
  sum = 0;
  for (size_t i = 0; i < m->ni; i++) sum += (double) m->itl[i];
  printf("%sitl_count=%zu\n", prefix, m->ni);
  if (m->ni) {
    printf("%sitl_mean_ms=%.3f\n", prefix, sum / (double) m->ni / 1e6);
    printf("%sitl_min_ms=%.3f\n", prefix, m->itl[0] / 1e6);
    printf("%sitl_p1_ms=%.3f\n", prefix, pct(m->itl, m->ni, 1) / 1e6);
    printf("%sitl_p50_ms=%.3f\n", prefix, pct(m->itl, m->ni, 50) / 1e6);
    printf("%sitl_p90_ms=%.3f\n", prefix, pct(m->itl, m->ni, 90) / 1e6);
    printf("%sitl_p99_ms=%.3f\n", prefix, pct(m->itl, m->ni, 99) / 1e6);
    printf("%sitl_max_ms=%.3f\n", prefix, m->itl[m->ni - 1] / 1e6);
  }
}

int main(int argc, char **argv)
{
  int n = 1000, port = 8080, limit_s = 60, tokens = 100, o;
  const char *out_path = NULL, *model = "gpt-4o-mini";
  while ((o = getopt(argc, argv, "n:p:t:T:o:m:kd:")) != -1) {
    switch (o) {
    case 'n': n = atoi(optarg); break;
    case 'p': port = atoi(optarg); break;
    case 't': limit_s = atoi(optarg); break;
    case 'T': tokens = atoi(optarg); break;
    case 'o': out_path = optarg; break;
    case 'm': model = optarg; break;
    case 'k': use_kernel_ts = 1; break;
    case 'd': dump_dir = optarg; break;
    default:
      fprintf(stderr, "usage: %s [-n streams] [-p port] [-T tokens] [-t limit_s] [-o file] [-m model] [-k] [-d dir]\n", argv[0]);
      return 2;
    }
  }
  if (n < 1 || n > MAXN) { fprintf(stderr, "-n must be 1..%d\n", MAXN); return 2; }
  char body[256];
  int bl = snprintf(body, sizeof body,
                    "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}", model);
  reqlen = (size_t) snprintf(req, sizeof req,
                             "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                             "Content-Type: application/json\r\nAuthorization: Bearer sk-timing-probe\r\n"
                             "X-Emulator-Output-Tokens: %d\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s",
                             port, tokens, bl, body);

  int ep = epoll_create1(0);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  t_start = clock_ns(CLOCK_MONOTONIC);
  int one = 1, connect_errors = 0;
  for (int i = 0; i < n; i++) {
    struct stream *s = &S[i];
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (s->fd < 0) { perror("socket (raise ulimit -n?)"); return 2; }
    setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (use_kernel_ts) setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    s->state = S_CONNECTING;
    if (connect(s->fd, (struct sockaddr *) &sa, sizeof sa) < 0 && errno != EINPROGRESS) {
      connect_errors++;
      s->state = S_FAILED;
      close(s->fd);
      continue;
    }
    struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = (uint32_t) i };
    epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev);
  }

  int open_streams = n - connect_errors;
  struct epoll_event evs[512];
  uint64_t deadline = t_start + (uint64_t) limit_s * 1000000000ull;
  int timed_out = 0;
  while (open_streams > 0) {
    uint64_t now = clock_ns(CLOCK_MONOTONIC);
    if (now >= deadline) { timed_out = 1; break; }
    int k = epoll_wait(ep, evs, 512, (int) ((deadline - now) / 1000000 + 1));
    for (int j = 0; j < k; j++) {
      struct stream *s = &S[evs[j].data.u32];
      int before = s->state == S_DONE || s->state == S_FAILED;
      if (s->state == S_CONNECTING) {
        int err = 0; socklen_t el = sizeof err;
        getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err) { connect_errors++; fail(s); }
        else { s->state = S_SENDING; try_send(s, ep); }
      } else if (s->state == S_SENDING) {
        try_send(s, ep);
      } else if (s->state == S_HEADERS || s->state == S_BODY) {
        if (evs[j].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) do_read(s);
      }
      if (!before && (s->state == S_DONE || s->state == S_FAILED)) open_streams--;
    }
  }
  uint64_t t_end = clock_ns(CLOCK_MONOTONIC);

  int done = 0, failed = 0, non200 = 0, short_streams = 0;
  unsigned long coalesced = 0, frames = 0;
  for (int i = 0; i < n; i++) {
    struct stream *s = &S[i];
    if (s->state == S_DONE && s->status == 200) done++;
    else failed++;
    if (s->status && s->status != 200) non200++;
    if (s->state == S_DONE && s->status == 200 && s->nframes != (unsigned) tokens) {
      short_streams++;
      if (dump_dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/stream-%d.txt", dump_dir, i);
        FILE *f = fopen(path, "w");
        if (f) { fwrite(s->raw, 1, s->rawlen, f); fclose(f); }
      }
    }
    coalesced += s->coalesced;
    frames += s->nframes;
  }
  printf("streams=%d\ncompleted=%d\nfailed=%d\nnon200=%d\nconnect_errors=%d\ntimed_out=%d\n",
         n, done, failed, non200, connect_errors, timed_out);
  printf("frames=%lu\nstreams_with_other_frame_count=%d\ncoalesced_frames=%lu\nwall_s=%.3f\n",
         frames, short_streams, coalesced, (t_end - t_start) / 1e9);
  /* the probe's own CPU time and time spent runnable but waiting for a CPU (a starved client
   * reads frames late) */
  FILE *ss = fopen("/proc/self/schedstat", "r");
  unsigned long long run_ns = 0, wait_ns = 0;
  if (ss && fscanf(ss, "%llu %llu", &run_ns, &wait_ns) == 2)
    printf("probe_cpu_s=%.3f\nprobe_runqueue_wait_s=%.3f\n", run_ns / 1e9, wait_ns / 1e9);
  if (ss) fclose(ss);

  FILE *out = out_path ? fopen(out_path, "w") : NULL;
  if (out_path && !out) { perror(out_path); return 2; }
  struct summary m;
  collect(n, 0, &m, out);
  if (out) fclose(out);
  print_summary("", &m);
  if (use_kernel_ts) {
    char kp[4096];
    out = NULL;
    if (out_path) {
      snprintf(kp, sizeof kp, "%s.kernel", out_path);
      out = fopen(kp, "w");
    }
    struct summary mk;
    collect(n, 1, &mk, out);
    if (out) fclose(out);
    print_summary("kernel_", &mk);
  }
  return failed ? 1 : 0;
}
