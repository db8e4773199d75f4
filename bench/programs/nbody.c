/* Floating point: a gravitational N-body simulation (O(n^2) pair forces with
 * softening, leapfrog integration) over bodies placed by a fixed PRNG. Uses
 * only + - * / and sqrt, which are exact IEEE operations everywhere, so the
 * result is bit-identical natively and in wasm.
 *   nbody [SCALE]   (SCALE = workload in percent, default 100) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define N_BODIES 48

typedef struct Body {
    double x, y, z, vx, vy, vz, mass;
} Body;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static double rng_unit(void) { /* uniform in [-1, 1) */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 4503599627370496.0 - 1.0;
}

static void init(Body *b) {
    for (int i = 0; i < N_BODIES; i++) {
        b[i].x = rng_unit() * 10;
        b[i].y = rng_unit() * 10;
        b[i].z = rng_unit() * 2;
        b[i].vx = rng_unit() * 0.1;
        b[i].vy = rng_unit() * 0.1;
        b[i].vz = rng_unit() * 0.01;
        b[i].mass = 0.5 + (rng_unit() + 1.0);
    }
}

static void step(Body *b, double dt) {
    for (int i = 0; i < N_BODIES; i++) {
        for (int j = i + 1; j < N_BODIES; j++) {
            double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
            double d2 = dx * dx + dy * dy + dz * dz + 0.01;
            double mag = dt / (d2 * sqrt(d2));
            b[i].vx -= dx * b[j].mass * mag;
            b[i].vy -= dy * b[j].mass * mag;
            b[i].vz -= dz * b[j].mass * mag;
            b[j].vx += dx * b[i].mass * mag;
            b[j].vy += dy * b[i].mass * mag;
            b[j].vz += dz * b[i].mass * mag;
        }
    }
    for (int i = 0; i < N_BODIES; i++) {
        b[i].x += dt * b[i].vx;
        b[i].y += dt * b[i].vy;
        b[i].z += dt * b[i].vz;
    }
}

static double energy(const Body *b) {
    double e = 0;
    for (int i = 0; i < N_BODIES; i++) {
        e += 0.5 * b[i].mass * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
        for (int j = i + 1; j < N_BODIES; j++) {
            double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
            e -= b[i].mass * b[j].mass / sqrt(dx * dx + dy * dy + dz * dz + 0.01);
        }
    }
    return e;
}

/* Workload size for SCALE percent of the full size `full` (at least 1). */
static uint32_t scaled(double scale, double full) {
    double n = scale * full / 100.0;
    return n < 1.0 ? 1u : (uint32_t)n;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 100.0;
    int steps = (int)scaled(scale, 86000);
    Body bodies[N_BODIES];
    init(bodies);
    double e0 = energy(bodies);
    for (int s = 0; s < steps; s++)
        step(bodies, 0.001);
    double e1 = energy(bodies);
    double px = 0;
    for (int i = 0; i < N_BODIES; i++)
        px += bodies[i].x + bodies[i].y + bodies[i].z;
    printf("nbody: steps=%d energy %.12e -> %.12e positions %.12e\n", steps, e0, e1, px);
    return 0;
}
