/**
 * The errno values modelled kernel code returns (negated), as in
 * include/uapi/asm-generic/errno-base.h, errno.h and include/linux/errno.h.
 */
export const EPERM = 1;
export const ENOENT = 2;
export const EIO = 5;
export const ENXIO = 6;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENODEV = 19;
export const EINVAL = 22;
export const ENOSPC = 28;
export const ENODATA = 61;
export const EOVERFLOW = 75;
export const EILSEQ = 84;
export const ETIMEDOUT = 110;
export const EPROBE_DEFER = 517;

const NAMES: Record<number, string> = {
  [EPERM]: 'EPERM', [ENOENT]: 'ENOENT', [EIO]: 'EIO', [ENXIO]: 'ENXIO', [EAGAIN]: 'EAGAIN',
  [ENOMEM]: 'ENOMEM', [EBUSY]: 'EBUSY', [EEXIST]: 'EEXIST', [ENODEV]: 'ENODEV', [EINVAL]: 'EINVAL',
  [ENOSPC]: 'ENOSPC', [ENODATA]: 'ENODATA', [EOVERFLOW]: 'EOVERFLOW', [EILSEQ]: 'EILSEQ',
  [ETIMEDOUT]: 'ETIMEDOUT', [EPROBE_DEFER]: 'EPROBE_DEFER',
};

/** `%pe`-style name of a (negative) errno: `-EPROBE_DEFER`, or the number if unknown. */
export function errname(err: number): string {
  const name = NAMES[Math.abs(err)];
  return name ? (err < 0 ? `-${name}` : name) : String(err);
}
