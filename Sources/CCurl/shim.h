// libcurl for the upstream proxy (`--proxy-to`), loaded with dlopen when a proxy is configured,
// so that a server without one never loads libcurl and the thirty-odd libraries it pulls in.
// The declarations below follow curl.h (curl 7.68 or later: curl_multi_poll, curl_multi_wakeup);
// option and info numbers are part of libcurl's stable ABI. Everything is `static inline`
// because a system-library target cannot carry .c files.
#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>

/// `struct curl_slist`, used only through pointers.
typedef struct CCurl_slist CCurl_slist;

/// `struct CURLMsg`.
typedef struct {
    int msg;
    void *easy_handle;
    union {
        void *whatever;
        int result;
    } data;
} CCurl_Msg;

/// The write and header callbacks' type (`curl_write_callback`).
typedef size_t (*CCurl_DataCallback)(char *data, size_t size, size_t count, void *context);

/// The libcurl functions the proxy calls.
typedef struct {
    int (*global_init)(long flags);
    void *(*easy_init)(void);
    int (*easy_setopt)(void *handle, int option, ...);
    int (*easy_getinfo)(void *handle, int info, ...);
    void (*easy_cleanup)(void *handle);
    const char *(*easy_strerror)(int code);
    void *(*multi_init)(void);
    int (*multi_add_handle)(void *multi, void *handle);
    int (*multi_remove_handle)(void *multi, void *handle);
    int (*multi_perform)(void *multi, int *running);
    int (*multi_poll)(void *multi, void *extra_fds, unsigned int extra_nfds, int timeout_ms, int *numfds);
    int (*multi_wakeup)(void *multi);
    CCurl_Msg *(*multi_info_read)(void *multi, int *left);
    CCurl_slist *(*slist_append)(CCurl_slist *list, const char *line);
    void (*slist_free_all)(CCurl_slist *list);
} CCurl_API;

enum {
    CCurl_GLOBAL_DEFAULT = 3,
    CCurl_MSG_DONE = 1,
    CCurl_OPT_WRITEDATA = 10001,
    CCurl_OPT_URL = 10002,
    CCurl_OPT_ERRORBUFFER = 10010,
    CCurl_OPT_WRITEFUNCTION = 20011,
    CCurl_OPT_LOW_SPEED_LIMIT = 19,
    CCurl_OPT_LOW_SPEED_TIME = 20,
    CCurl_OPT_HTTPHEADER = 10023,
    CCurl_OPT_HEADERDATA = 10029,
    CCurl_OPT_CUSTOMREQUEST = 10036,
    CCurl_OPT_NOBODY = 44,
    CCurl_OPT_POST = 47,
    CCurl_OPT_HEADERFUNCTION = 20079,
    CCurl_OPT_HTTPGET = 80,
    CCurl_OPT_NOSIGNAL = 99,
    CCurl_OPT_PRIVATE = 10103,
    CCurl_OPT_POSTFIELDSIZE_LARGE = 30120,
    CCurl_OPT_TIMEOUT_MS = 155,
    CCurl_OPT_CONNECTTIMEOUT_MS = 156,
    CCurl_OPT_COPYPOSTFIELDS = 10165,
    CCurl_ERROR_SIZE = 256,
};

/// Loads libcurl into `api`. Returns NULL, or what the dynamic loader said went wrong.
static inline const char *CCurl_load(CCurl_API *api) {
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) return dlerror();
#define CCURL_SYMBOL(field, name) \
    if ((*(void **)&api->field = dlsym(lib, name)) == NULL) return dlerror();
    CCURL_SYMBOL(global_init, "curl_global_init")
    CCURL_SYMBOL(easy_init, "curl_easy_init")
    CCURL_SYMBOL(easy_setopt, "curl_easy_setopt")
    CCURL_SYMBOL(easy_getinfo, "curl_easy_getinfo")
    CCURL_SYMBOL(easy_cleanup, "curl_easy_cleanup")
    CCURL_SYMBOL(easy_strerror, "curl_easy_strerror")
    CCURL_SYMBOL(multi_init, "curl_multi_init")
    CCURL_SYMBOL(multi_add_handle, "curl_multi_add_handle")
    CCURL_SYMBOL(multi_remove_handle, "curl_multi_remove_handle")
    CCURL_SYMBOL(multi_perform, "curl_multi_perform")
    CCURL_SYMBOL(multi_poll, "curl_multi_poll")
    CCURL_SYMBOL(multi_wakeup, "curl_multi_wakeup")
    CCURL_SYMBOL(multi_info_read, "curl_multi_info_read")
    CCURL_SYMBOL(slist_append, "curl_slist_append")
    CCURL_SYMBOL(slist_free_all, "curl_slist_free_all")
#undef CCURL_SYMBOL
    return NULL;
}

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one typed
// wrapper per argument kind.
static inline int CCurl_set_long(const CCurl_API *api, void *handle, int option, long value) {
    return api->easy_setopt(handle, option, value);
}
static inline int CCurl_set_pointer(const CCurl_API *api, void *handle, int option, const void *value) {
    return api->easy_setopt(handle, option, value);
}
static inline int CCurl_set_size(const CCurl_API *api, void *handle, int option, int64_t value) {
    return api->easy_setopt(handle, option, value);  // curl_off_t is 64 bits wide
}
static inline int CCurl_set_callback(const CCurl_API *api, void *handle, int option, CCurl_DataCallback value) {
    return api->easy_setopt(handle, option, value);
}
/// CURLINFO_RESPONSE_CODE.
static inline long CCurl_response_code(const CCurl_API *api, void *handle) {
    long code = 0;
    api->easy_getinfo(handle, 0x200000 + 2, &code);
    return code;
}

#endif
