/** Test support: a render worker module that fails to load, as a broken deployment's would. */
throw new Error('a broken render worker module');

export {};
