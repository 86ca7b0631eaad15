/**
 * Static stubs (include/kunit/static_stub.h): a kernel function that starts
 * with `KUNIT_STATIC_STUB_REDIRECT` can be redirected by a test to a
 * replacement, for that test only. The test layer (src/kunit) activates and
 * deactivates stubs; nothing is redirected unless a test asked.
 */
type AnyFunction = (...args: never[]) => unknown;

const active = new Map<AnyFunction, AnyFunction>();

/** Redirects calls of `real` to `replacement` until deactivated (src/kunit does this per test). */
export function activateStaticStub<F extends AnyFunction>(real: F, replacement: F): void {
  active.set(real, replacement);
}

export function deactivateStaticStub(real: AnyFunction): void {
  active.delete(real);
}

/**
 * At the top of a redirectable kernel function:
 * `const stub = KUNIT_STATIC_STUB_REDIRECT(my_fn); if (stub) return stub(arg1, arg2);`
 */
export function KUNIT_STATIC_STUB_REDIRECT<F extends AnyFunction>(real: F): F | undefined {
  return active.size === 0 ? undefined : (active.get(real) as F | undefined);
}
