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
 * fails. Listens on 127.0.0.1:PORT until killed. On SIGHUP it installs the snapshot again
 * with the health degraded (the way a device pushes a changed fact): dqiHealthStatus and
 * dqiHealthLastChange move, the other parts' last-change objects do not.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
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

/* Set by SIGHUP: push the snapshot again with the health degraded. */
static volatile sig_atomic_t hangup;
static void on_hangup(int sig) {
    (void)sig;
    hangup = 1;
}

/* The facts besides identity and software, as examples/infusion-pump/device.toml states them. */
static dqi_result demo_facts(dqi_snapshot *s, int degraded) {
    dqi_result r = degraded ? dqi_snapshot_set_health(s, DQI_HEALTH_DEGRADED, "Occlusion sensor drift",
                                                      DQI_SELF_TEST_FAILED, 1717394412)
                            : dqi_snapshot_set_health(s, DQI_HEALTH_OK, NULL, DQI_SELF_TEST_PASSED,
                                                      1717394412); /* 2024-06-03T06:00:12Z */
    if (r != DQI_OK) return r;
    static const uint8_t digest[32] = {0x9f, 0x2c, 0x4e, 0x1a, 0x7b, 0x3d, 0x5c, 0x8e, 0x0f, 0x1a, 0x2b,
                                       0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6,
                                       0xe7, 0xf8, 0x09, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70};
    const dqi_configuration config = {
        .last_change = 1716904920, /* 2024-05-28T14:02:00Z */
        .digest = digest,
        .remote_service = DQI_REMOTE_ON_DEMAND,
        .factory_default_credential = false,
        .auto_logoff_seconds = 300,
        .storage_encryption = true,
        .audit_logging = true,
        .audit_target = "syslog+tls://siem.hospital.example:6514",
        .time_source = DQI_TIME_NTP,
        .time_server = "ntp1.hospital.example",
        .time_synchronised = true,
        .secure_boot = true,
        .update_policy = DQI_UPDATE_SERVICE_TECHNICIAN,
        .last_update = 1714642200, /* 2024-05-02T09:30:00Z */
    };
    if ((r = dqi_snapshot_set_configuration(s, &config)) != DQI_OK) return r;
    const dqi_service services[] = {
        {"hl7-mllp", DQI_TRANSPORT_TCP, "0.0.0.0", 2575, DQI_SERVICE_ENABLED, DQI_AUTH_KIND_CERTIFICATE,
         DQI_ENCRYPTION_TLS, "Infusion events to the EHR interface engine (HL7 v2 over TLS)"},
        {"dqi-snmp", DQI_TRANSPORT_UDP, "0.0.0.0", 161, DQI_SERVICE_ENABLED, DQI_AUTH_KIND_USM,
         DQI_ENCRYPTION_APPLICATION, "This agent: read-only SNMPv3 device query interface"},
        {"ble-barcode", DQI_TRANSPORT_BLUETOOTH_LE, "F4:12:FA:3C:9B:21", 0, DQI_SERVICE_ENABLED,
         DQI_AUTH_KIND_PAIRING, DQI_ENCRYPTION_LINK_LAYER, "Paired handheld barcode scanner"},
        {"nurse-call", DQI_TRANSPORT_SERIAL, "RS-232 (rear panel)", 0, DQI_SERVICE_ENABLED,
         DQI_AUTH_KIND_NONE, DQI_ENCRYPTION_NONE, "Nurse call relay output"},
    };
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
        if ((r = dqi_snapshot_add_service(s, &services[i])) != DQI_OK) return r;
    return DQI_OK;
}

/* The demo device: who it is, what it runs, and its health, configuration and services. */
static dqi_result demo_snapshot(dqi_agent *agent, int degraded) {
    dqi_snapshot *s;
    dqi_result r = dqi_snapshot_new(&s);
    if (r != DQI_OK) return r;
    dqi_snapshot_set_identity(s, DQI_ID_MANUFACTURER, "Acme Medical Systems, Inc.");
    dqi_snapshot_set_identity(s, DQI_ID_BRAND, "InfuSafe");
    dqi_snapshot_set_identity(s, DQI_ID_MODEL, "IS-3000");
    dqi_snapshot_set_identity(s, DQI_ID_SERIAL, "IS3K-24-004217");
    dqi_snapshot_set_identity(s, DQI_ID_HARDWARE_REVISION, "C2");
    dqi_snapshot_set_identity(s, DQI_ID_SOFTWARE_REVISION, "4.2.1");
    /* The unit's UDI, its other identifiers and two of the model's MDS2 controls. */
    const dqi_udi udi = {DQI_UDI_GS1, "00850012345673", "L2403A", 1710374400 /* 2024-03-14 */,
                         2025820800 /* 2034-03-13 */,
                         "(01)00850012345673(11)240314(17)340313(10)L2403A(21)IS3K-24-004217"};
    if ((r = dqi_snapshot_set_udi(s, &udi)) != DQI_OK ||
        (r = dqi_snapshot_set_identity(s, DQI_ID_UUID, "6f1c2e0a-8d4b-4f2e-9a57-3c1d0b7e5a92")) != DQI_OK ||
        (r = dqi_snapshot_set_identity(s, DQI_ID_FDA_PRODUCT_CODE, "FRN")) != DQI_OK ||
        (r = dqi_snapshot_set_identity(s, DQI_ID_GMDN_CODE, "13215")) != DQI_OK ||
        (r = dqi_snapshot_set_identity(s, DQI_ID_VULN_CONTACT_URI,
                                       "https://acme-medical.example/security/disclosure")) != DQI_OK ||
        (r = dqi_snapshot_add_security_control(
             s, "ALOF-1", "Forced reauthorization after a set inactivity time", true, true,
             "Clinician session locks after 5 minutes idle; infusions keep running.")) != DQI_OK ||
        (r = dqi_snapshot_add_security_control(s, "MLDP", "Malware detection and protection", false,
                                               false, NULL)) != DQI_OK) {
        dqi_snapshot_free(s);
        return r;
    }
    const dqi_software rows[] = {
        {"infusafe-firmware", "4.2.1", "Acme Medical Systems, Inc.",
         "pkg:generic/acme/infusafe-firmware@4.2.1", NULL, "firmware"},
        {"FreeRTOS-Kernel", "10.4.6", "Amazon Web Services", "pkg:github/freertos/freertos-kernel@10.4.6",
         NULL, "operating-system"},
        {"lwip", "2.1.3", "lwIP developers", "pkg:generic/lwip@2.1.3", NULL, "library"},
        {"log4j-core", "2.14.1", "The Apache Software Foundation",
         "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", NULL, "library"},
    };
    /* The firmware image's SHA-256, as the build that signed it computed it. */
    static const uint8_t firmware_sha256[32] = {
        0x3a, 0x7b, 0xd3, 0xe2, 0x36, 0x0a, 0x3d, 0x29, 0xee, 0xa4, 0x36, 0xfc, 0xfb, 0x7e, 0x44, 0xc7,
        0x35, 0xd1, 0x17, 0xc4, 0x2d, 0x1c, 0x18, 0x35, 0x42, 0x0b, 0x6b, 0x99, 0x42, 0xdd, 0x4f, 0x1b};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if ((r = dqi_snapshot_add_software(s, &rows[i])) != DQI_OK ||
            (i == 0 && (r = dqi_snapshot_add_software_hash(s, "SHA-256", firmware_sha256,
                                                           sizeof firmware_sha256)) != DQI_OK) ||
            /* Supported until 2031-12-31; log4j-core 2.14 is past its supplier's support. */
            (i == 0 && (r = dqi_snapshot_set_software_support(s, DQI_SUPPORT_SUPPORTED, 1956441600,
                                                              -1)) != DQI_OK) ||
            (i == 3 && (r = dqi_snapshot_set_software_support(s, DQI_SUPPORT_END_OF_SUPPORT, -1, -1)) !=
                           DQI_OK)) {
            dqi_snapshot_free(s);
            return r;
        }
    }
    if ((r = demo_facts(s, degraded)) != DQI_OK) {
        dqi_snapshot_free(s);
        return r;
    }
    /* The maker's word on the one vulnerable component: not reachable on this device. */
    const dqi_vex log4shell = {"CVE-2021-44228", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                               DQI_VEX_NOT_AFFECTED, "vulnerable_code_not_in_execute_path",
                               NULL, "The logging service is disabled in the shipped configuration."};
    if ((r = dqi_snapshot_add_vex(s, &log4shell)) != DQI_OK) {
        dqi_snapshot_free(s);
        return r;
    }
    return dqi_agent_install_snapshot(agent, s, now_us());
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
    if ((r = demo_snapshot(agent, 0)) != DQI_OK) {
        fprintf(stderr, "snapshot refused: %d\n", r);
        return 1;
    }
    /* No SA_RESTART: a SIGHUP interrupts recvfrom, and the loop installs the new snapshot. */
    struct sigaction hup = {.sa_handler = on_hangup};
    sigemptyset(&hup.sa_mask);
    sigaction(SIGHUP, &hup, NULL);

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
        if (hangup) {
            hangup = 0;
            r = demo_snapshot(agent, 1);
            fprintf(stderr, "dqi_demo: snapshot installed again (health degraded): %d\n", r);
        }
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
