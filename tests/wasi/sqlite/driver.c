/* SQLite driver for the real-program test: creates a database file in the
 * directory given as argv[1] (a pre-opened directory under WASI), fills it,
 * queries it, closes and reopens it, and prints every result. Built both for
 * wasm32-wasi and natively: the two outputs must be identical, so nothing
 * printed depends on the platform (no pointers, times or random values).
 *   driver DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite3.h"

static sqlite3 *db;

static void die(const char *what) {
    printf("error: %s: %s\n", what, db ? sqlite3_errmsg(db) : "(no database)");
    exit(1);
}

static int print_row(void *label, int n, char **values, char **names) {
    printf("%s:", (const char *)label);
    for (int i = 0; i < n; i++)
        printf(" %s=%s", names[i], values[i] ? values[i] : "NULL");
    printf("\n");
    return 0;
}

static void exec(const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        printf("error: %s: %s\n", sql, err ? err : "?");
        exit(1);
    }
}

static void query(const char *label, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, print_row, (void *)label, &err) != SQLITE_OK) {
        printf("error: %s: %s\n", sql, err ? err : "?");
        exit(1);
    }
}

/* Rows of (id, name, qty, price, note) from a simple generator, bound as parameters. */
static void fill(int n) {
    sqlite3_stmt *st;
    static const char *names[] = {"apple", "pear", "plum", "fig", "kiwi", "lime", "date"};
    if (sqlite3_prepare_v2(db, "INSERT INTO items(name, qty, price, note) VALUES(?, ?, ?, ?)", -1,
                           &st, NULL) != SQLITE_OK)
        die("prepare insert");
    exec("BEGIN");
    unsigned x = 12345;
    for (int i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        char note[64];
        snprintf(note, sizeof note, "note %d/%u", i, (x >> 8) % 1000);
        sqlite3_bind_text(st, 1, names[(x >> 16) % 7], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, (int)((x >> 4) % 100));
        sqlite3_bind_double(st, 3, (double)((x >> 12) % 10000) / 100.0);
        if (i % 10 == 0)
            sqlite3_bind_null(st, 4);
        else
            sqlite3_bind_text(st, 4, note, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            die("insert");
        sqlite3_reset(st);
    }
    exec("COMMIT");
    sqlite3_finalize(st);
}

static void open_db(const char *path) {
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("open");
}

int main(int argc, char **argv) {
    if (argc != 2) {
        printf("usage: driver DIR\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/test.db", argv[1]);
    printf("sqlite %s\n", sqlite3_libversion());
    open_db(path);
    exec("PRAGMA journal_mode=DELETE");
    exec("CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER, "
         "price REAL, note TEXT)");
    exec("CREATE TABLE tags(item INTEGER REFERENCES items(id), tag TEXT)");
    fill(2000);
    exec("CREATE INDEX items_name ON items(name, qty)");
    exec("INSERT INTO tags SELECT id, CASE WHEN qty > 50 THEN 'big' ELSE 'small' END "
         "FROM items WHERE id % 3 = 0");
    query("count", "SELECT count(*) AS n, sum(qty) AS qty, round(sum(price), 2) AS price "
                   "FROM items");
    query("group", "SELECT name, count(*) AS n, min(qty) AS lo, max(qty) AS hi, "
                   "printf('%.3f', avg(price)) AS avg FROM items GROUP BY name ORDER BY name");
    query("top", "SELECT id, name, qty, price FROM items ORDER BY price DESC, id LIMIT 5");
    query("join", "SELECT tag, count(*) AS n, sum(i.qty) AS qty FROM tags t "
                  "JOIN items i ON i.id = t.item GROUP BY tag ORDER BY tag");
    query("text", "SELECT upper(name) AS u, length(note) AS len, substr(note, 6) AS tail, "
                  "hex(name) AS h FROM items WHERE id IN (2, 3, 500) ORDER BY id");
    query("nulls", "SELECT count(*) AS n FROM items WHERE note IS NULL");
    query("window", "SELECT id, qty, sum(qty) OVER (ORDER BY id ROWS 2 PRECEDING) AS run "
                    "FROM items WHERE id <= 5");
    query("cte", "WITH RECURSIVE f(n, v) AS (SELECT 1, 1 UNION ALL SELECT n + 1, v * (n + 1) "
                 "FROM f WHERE n < 20) SELECT n, v FROM f WHERE n % 5 = 0");
    query("math", "SELECT 1.0 / 3 AS third, 2e300 * 10 AS big, 7 % 3 AS mod, "
                  "cast('12.5abc' AS REAL) AS cast_, 0.1 + 0.2 AS sum");
    exec("UPDATE items SET qty = qty + 1000 WHERE name = 'fig'");
    exec("DELETE FROM items WHERE qty < 10");
    query("after", "SELECT count(*) AS n, max(qty) AS hi FROM items");
    sqlite3_close(db);
    db = NULL;

    /* Everything must have reached the file. */
    open_db(path);
    query("reopen", "SELECT count(*) AS n, sum(qty) AS qty FROM items");
    query("check", "PRAGMA integrity_check");
    query("schema", "SELECT type, name FROM sqlite_master ORDER BY name");
    exec("VACUUM");
    query("vacuum", "SELECT count(*) AS n FROM tags");
    sqlite3_close(db);
    printf("done\n");
    return 0;
}
