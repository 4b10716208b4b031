/*
 * dqi_demo: the demo infusion pump served over UDP through the DQI C API (dqi.h).
 *
 * What an RTOS port replaces: the UDP socket (lwIP's udp_recv/udp_sendto), the monotonic
 * clock, the boots store (flash), the random source (the TRNG) and the allocator. Everything
 * else is the library's.
 *
 * Usage: dqi_demo PORT BOOTS_FILE ENGINE_ID_HEX USER AUTH AUTH_KEY_HEX PRIV PRIV_KEY_HEX [USER ...]
 *   AUTH: sha1 sha224 sha256 sha384 sha512; PRIV: none des aes128 aes192 aes256
 *   keys: already localized to the engine ID (RFC 3414 2.6), in hex.
 * The boots file holds snmpEngineBoots as decimal text; it is read, incremented and written
 * back (write, fsync, rename) before the agent serves, and the agent is not started when that
 * fails. Listens on 127.0.0.1:PORT until killed.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dqi.h"

/* The library's platform: memory and abort (linked by name, see dqi.h). */
void *dqi_platform_alloc(size_t size, size_t align) {
    /* aligned_alloc wants a size that is a multiple of the alignment. */
    if (align < sizeof(void *)) align = sizeof(void *);
    size_t rounded = (size + align - 1) / align * align;
    return aligned_alloc(align, rounded ? rounded : align);
}

void dqi_platform_free(void *ptr, size_t size, size_t align) {
    (void)size;
    (void)align;
    free(ptr);
}

void dqi_platform_abort(void) { abort(); }

/* The boots store: read, add one, write durably. Non-zero on any failure. */
static int next_boots(void *userdata, uint32_t *boots) {
    const char *path = userdata;
    unsigned long value = 0;
    FILE *f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%lu", &value) != 1) value = 0;
        fclose(f);
    } else if (errno != ENOENT) {
        return -1;
    }
    if (value >= 2147483647UL) return -1; /* latched: RFC 3414 2.2.1 */
    value += 1;
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return -1;
    char text[32];
    int n = snprintf(text, sizeof text, "%lu\n", value);
    if (write(fd, text, (size_t)n) != n || fsync(fd) != 0) {
        close(fd);
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) return -1;
    *boots = (uint32_t)value;
    return 0;
}

static int random_bytes(void *userdata, uint8_t *buf, size_t len) {
    (void)userdata;
    while (len > 0) {
        ssize_t n = getrandom(buf, len, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static uint64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static size_t from_hex(const char *hex, uint8_t *out, size_t cap) {
    size_t n = strlen(hex) / 2;
    if (n > cap || strlen(hex) % 2) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) return 0;
        out[i] = (uint8_t)v;
    }
    return n;
}

static int auth_of(const char *s, dqi_auth *out) {
    static const struct { const char *name; dqi_auth value; } table[] = {
        {"sha1", DQI_AUTH_SHA1},     {"sha224", DQI_AUTH_SHA224}, {"sha256", DQI_AUTH_SHA256},
        {"sha384", DQI_AUTH_SHA384}, {"sha512", DQI_AUTH_SHA512},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(s, table[i].name)) return *out = table[i].value, 0;
    return -1;
}

static int priv_of(const char *s, dqi_priv *out) {
    static const struct { const char *name; dqi_priv value; } table[] = {
        {"none", DQI_PRIV_NONE},     {"des", DQI_PRIV_DES},       {"aes128", DQI_PRIV_AES128},
        {"aes192", DQI_PRIV_AES192}, {"aes256", DQI_PRIV_AES256},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(s, table[i].name)) return *out = table[i].value, 0;
    return -1;
}

/* The demo device: who it is and what it runs. */
static dqi_result demo_snapshot(dqi_agent *agent) {
    dqi_snapshot *s;
    dqi_result r = dqi_snapshot_new(&s);
    if (r != DQI_OK) return r;
    dqi_snapshot_set_identity(s, DQI_ID_MANUFACTURER, "Acme Medical Systems, Inc.");
    dqi_snapshot_set_identity(s, DQI_ID_BRAND, "InfuSafe");
    dqi_snapshot_set_identity(s, DQI_ID_MODEL, "IS-3000");
    dqi_snapshot_set_identity(s, DQI_ID_SERIAL, "IS3K-24-004217");
    dqi_snapshot_set_identity(s, DQI_ID_HARDWARE_REVISION, "C2");
    dqi_snapshot_set_identity(s, DQI_ID_SOFTWARE_REVISION, "4.2.1");
    const dqi_software rows[] = {
        {"infusafe-firmware", "4.2.1", "Acme Medical Systems, Inc.",
         "pkg:generic/acme/infusafe-firmware@4.2.1", NULL, "firmware"},
        {"FreeRTOS-Kernel", "10.4.6", "Amazon Web Services", "pkg:github/freertos/freertos-kernel@10.4.6",
         NULL, "operating-system"},
        {"lwip", "2.1.3", "lwIP developers", "pkg:generic/lwip@2.1.3", NULL, "library"},
        {"log4j-core", "2.14.1", "The Apache Software Foundation",
         "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", NULL, "library"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if ((r = dqi_snapshot_add_software(s, &rows[i])) != DQI_OK) {
            dqi_snapshot_free(s);
            return r;
        }
    }
    /* The maker's word on the one vulnerable component: not reachable on this device. */
    const dqi_vex log4shell = {"CVE-2021-44228", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                               DQI_VEX_NOT_AFFECTED, "vulnerable_code_not_in_execute_path",
                               NULL, "The logging service is disabled in the shipped configuration."};
    if ((r = dqi_snapshot_add_vex(s, &log4shell)) != DQI_OK) {
        dqi_snapshot_free(s);
        return r;
    }
    return dqi_agent_install_snapshot(agent, s);
}

int main(int argc, char **argv) {
    if (argc < 9 || (argc - 4) % 5 != 0) {
        fprintf(stderr, "usage: %s PORT BOOTS_FILE ENGINE_ID_HEX (USER AUTH AUTH_KEY PRIV PRIV_KEY)...\n",
                argv[0]);
        return 2;
    }
    uint8_t engine_id[32];
    size_t engine_len = from_hex(argv[3], engine_id, sizeof engine_id);
    dqi_builder *b;
    dqi_result r = dqi_builder_new(engine_id, engine_len, &b);
    if (r != DQI_OK) {
        fprintf(stderr, "engine ID refused: %d\n", r);
        return 2;
    }
    dqi_builder_set_system(b, "Acme InfuSafe IS-3000 (C API demo)", "Clinical Engineering",
                           "infusafe-c-demo", "Demo Ward");
    for (int i = 4; i + 4 < argc; i += 5) {
        dqi_auth auth;
        dqi_priv priv;
        uint8_t ak[64], pk[64];
        size_t akl = from_hex(argv[i + 2], ak, sizeof ak), pkl = from_hex(argv[i + 4], pk, sizeof pk);
        if (auth_of(argv[i + 1], &auth) || priv_of(argv[i + 3], &priv) ||
            (r = dqi_builder_add_user(b, argv[i], auth, ak, akl, priv, pk, pkl)) != DQI_OK) {
            fprintf(stderr, "user %s refused: %d\n", argv[i], r);
            dqi_builder_free(b);
            return 2;
        }
    }
    dqi_platform platform = {.userdata = argv[2], .next_boots = next_boots, .random = random_bytes};
    dqi_agent *agent;
    r = dqi_agent_start(b, &platform, now_us(), &agent);
    if (r != DQI_OK) {
        fprintf(stderr, "agent not started: %s (%d)\n",
                r == DQI_BOOTS_STORE_FAILED ? "the boots store failed" : "error", r);
        return 1;
    }
    if ((r = demo_snapshot(agent)) != DQI_OK) {
        fprintf(stderr, "snapshot refused: %d\n", r);
        return 1;
    }

    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("bind");
        return 1;
    }
    fprintf(stderr, "dqi_demo: serving on 127.0.0.1:%s, boots %u\n", argv[1], dqi_agent_boots(agent));
    static uint8_t in[65535], out[65535];
    for (;;) {
        struct sockaddr_in from;
        socklen_t from_len = sizeof from;
        ssize_t n = recvfrom(sock, in, sizeof in, 0, (struct sockaddr *)&from, &from_len);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("recvfrom");
            return 1;
        }
        dqi_address source = {.family = 4, .port = ntohs(from.sin_port)};
        memcpy(source.addr, &from.sin_addr, 4);
        size_t out_len = 0;
        r = dqi_handle(agent, in, (size_t)n, &source, now_us(), out, sizeof out, &out_len);
        if (r == DQI_OK && out_len > 0)
            sendto(sock, out, out_len, 0, (struct sockaddr *)&from, from_len);
    }
}
