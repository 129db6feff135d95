// SPDX-License-Identifier: GPL-2.0
/*
 * bcache: hit/miss statistics of a backing device or a cache.
 *
 * Events are counted in per-CPU counters, without a lock. stats_total/
 * shows the counters since creation or the last clear. The three windows
 * (stats_five_minute/, stats_hour/, stats_day/) are exponentially decaying
 * sums: every BCH_STATS_TICK seconds each window adds the events of the
 * tick and loses TICK/window of its value, so in a steady state it shows
 * about the number of events of the last window. Window values are fixed
 * point with BCH_STATS_FRAC fraction bits.
 *
 * Copyright (C) 2026 The bcache authors.
 */

#include <linux/kobject.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "dev.h"

#define BCH_STATS_TICK		5	/* seconds */
#define BCH_STATS_FRAC		16

enum {
	ST_HITS,
	ST_MISSES,
	ST_BYPASS_HITS,
	ST_BYPASS_MISSES,
	ST_BYPASSED,		/* sectors */
	ST_NR,
};

enum {
	WIN_TOTAL,
	WIN_FIVE_MINUTE,
	WIN_HOUR,
	WIN_DAY,
	WIN_NR,
};

static const char * const win_names[WIN_NR] = {
	"stats_total", "stats_five_minute", "stats_hour", "stats_day",
};

/* Window length in ticks (the decay divisor); 0 for stats_total. */
static const unsigned int win_ticks[WIN_NR] = {
	0,
	5 * 60 / BCH_STATS_TICK,
	60 * 60 / BCH_STATS_TICK,
	24 * 60 * 60 / BCH_STATS_TICK,
};

struct bch_stats_pcpu {
	u64	c[ST_NR];
};

struct bch_stats_win {
	struct kobject		kobj;
	struct bch_stats	*s;
	unsigned int		idx;
};

struct bch_stats {
	struct bch_stats_pcpu __percpu *pcpu;
	spinlock_t		lock;		/* base, last, acc */
	u64			base[ST_NR];	/* totals at the last clear */
	u64			last[ST_NR];	/* totals at the last tick */
	u64			acc[WIN_NR][ST_NR];
	struct delayed_work	tick;
	struct bch_stats_win	win[WIN_NR];
	refcount_t		refs;		/* one per window, one owner */
};

static u64 stats_sum(struct bch_stats *s, unsigned int i)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(s->pcpu, cpu)->c[i];
	return sum;
}

/* Value of counter @i in window @w. */
static u64 stats_value(struct bch_stats *s, unsigned int w, unsigned int i)
{
	u64 sum = stats_sum(s, i), v;

	spin_lock(&s->lock);
	if (w == WIN_TOTAL)
		v = sum - s->base[i];
	else
		v = (s->acc[w][i] + ((sum - s->last[i]) << BCH_STATS_FRAC)) >>
			BCH_STATS_FRAC;
	spin_unlock(&s->lock);
	return v;
}

static void stats_tick(struct work_struct *work)
{
	struct bch_stats *s = container_of(to_delayed_work(work),
					   struct bch_stats, tick);
	unsigned int w, i;

	spin_lock(&s->lock);
	for (i = 0; i < ST_NR; i++) {
		u64 sum = stats_sum(s, i);
		u64 delta = sum - s->last[i];

		s->last[i] = sum;
		for (w = WIN_FIVE_MINUTE; w < WIN_NR; w++) {
			u64 *a = &s->acc[w][i];

			*a -= DIV_ROUND_UP_ULL(*a, win_ticks[w]);
			*a += delta << BCH_STATS_FRAC;
		}
	}
	spin_unlock(&s->lock);
	queue_delayed_work(system_power_efficient_wq, &s->tick,
			   BCH_STATS_TICK * HZ);
}

static void stats_put(struct bch_stats *s)
{
	if (!refcount_dec_and_test(&s->refs))
		return;
	free_percpu(s->pcpu);
	kfree(s);
}

/* ---- sysfs ------------------------------------------------------------- */

static struct bch_stats_win *to_win(struct kobject *kobj)
{
	return container_of(kobj, struct bch_stats_win, kobj);
}

static ssize_t show_counter(struct kobject *kobj, char *buf, unsigned int i)
{
	struct bch_stats_win *win = to_win(kobj);

	return sysfs_emit(buf, "%llu\n", stats_value(win->s, win->idx, i));
}

static ssize_t cache_hits_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return show_counter(kobj, buf, ST_HITS);
}

static ssize_t cache_misses_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return show_counter(kobj, buf, ST_MISSES);
}

static ssize_t cache_bypass_hits_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	return show_counter(kobj, buf, ST_BYPASS_HITS);
}

static ssize_t cache_bypass_misses_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	return show_counter(kobj, buf, ST_BYPASS_MISSES);
}

static ssize_t bypassed_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	struct bch_stats_win *win = to_win(kobj);
	u64 sectors = stats_value(win->s, win->idx, ST_BYPASSED);

	return sysfs_emit(buf, "%llu\n", sectors << SECTOR_SHIFT);
}

static ssize_t cache_hit_ratio_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	struct bch_stats_win *win = to_win(kobj);
	u64 hits = stats_value(win->s, win->idx, ST_HITS);
	u64 misses = stats_value(win->s, win->idx, ST_MISSES);
	u64 ratio = hits + misses ? div64_u64(hits * 100, hits + misses) : 0;

	return sysfs_emit(buf, "%llu\n", ratio);
}

static struct kobj_attribute cache_hits_attr = __ATTR_RO(cache_hits);
static struct kobj_attribute cache_misses_attr = __ATTR_RO(cache_misses);
static struct kobj_attribute cache_hit_ratio_attr = __ATTR_RO(cache_hit_ratio);
static struct kobj_attribute cache_bypass_hits_attr =
	__ATTR_RO(cache_bypass_hits);
static struct kobj_attribute cache_bypass_misses_attr =
	__ATTR_RO(cache_bypass_misses);
static struct kobj_attribute bypassed_attr = __ATTR_RO(bypassed);

static struct attribute *stats_attrs[] = {
	&cache_hits_attr.attr,
	&cache_misses_attr.attr,
	&cache_hit_ratio_attr.attr,
	&cache_bypass_hits_attr.attr,
	&cache_bypass_misses_attr.attr,
	&bypassed_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(stats);

static void stats_win_release(struct kobject *kobj)
{
	stats_put(to_win(kobj)->s);
}

static const struct kobj_type stats_win_ktype = {
	.release	= stats_win_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= stats_groups,
};

/* ---- API ----------------------------------------------------------------- */

/**
 * bch_stats_create() - create the statistics of a device or a cache.
 * @parent: kobject under which stats_total/ etc. are created
 *
 * Context: process context.
 * Return: the statistics (free with bch_stats_destroy()), or NULL.
 */
struct bch_stats *bch_stats_create(struct kobject *parent)
{
	struct bch_stats *s;
	unsigned int w;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->pcpu = alloc_percpu(struct bch_stats_pcpu);
	if (!s->pcpu) {
		kfree(s);
		return NULL;
	}
	spin_lock_init(&s->lock);
	INIT_DELAYED_WORK(&s->tick, stats_tick);
	refcount_set(&s->refs, 1);

	for (w = 0; w < WIN_NR; w++) {
		struct bch_stats_win *win = &s->win[w];

		win->s = s;
		win->idx = w;
		refcount_inc(&s->refs);
		if (kobject_init_and_add(&win->kobj, &stats_win_ktype, parent,
					 "%s", win_names[w])) {
			kobject_put(&win->kobj);
			goto err_del;
		}
	}
	queue_delayed_work(system_power_efficient_wq, &s->tick,
			   BCH_STATS_TICK * HZ);
	return s;

err_del:
	while (w--) {
		kobject_del(&s->win[w].kobj);
		kobject_put(&s->win[w].kobj);
	}
	stats_put(s);
	return NULL;
}

/**
 * bch_stats_destroy() - remove the sysfs directories and free.
 * @s: statistics, or NULL
 *
 * Context: process context; the owner must not account any more events.
 */
void bch_stats_destroy(struct bch_stats *s)
{
	unsigned int w;

	if (!s)
		return;
	cancel_delayed_work_sync(&s->tick);
	for (w = 0; w < WIN_NR; w++) {
		kobject_del(&s->win[w].kobj);
		kobject_put(&s->win[w].kobj);
	}
	stats_put(s);
}

/**
 * bch_stats_clear() - reset every counter and window to zero.
 * @s: statistics
 *
 * Context: process context.
 */
void bch_stats_clear(struct bch_stats *s)
{
	unsigned int i;

	spin_lock(&s->lock);
	for (i = 0; i < ST_NR; i++) {
		u64 sum = stats_sum(s, i);

		s->base[i] = sum;
		s->last[i] = sum;
	}
	memset(s->acc, 0, sizeof(s->acc));
	spin_unlock(&s->lock);
}

/**
 * bch_stats_account() - count one read.
 * @s: statistics
 * @hit: the read was entirely cached
 * @bypass: the read bypassed the cache (sequential cutoff): it used cached
 *	data if there was any but did not fill the cache
 * @sectors: size of the read; counted as bypassed if @bypass
 *
 * Context: any context; lock-free.
 */
void bch_stats_account(struct bch_stats *s, bool hit, bool bypass,
		       unsigned int sectors)
{
	unsigned int i;

	if (bypass) {
		i = hit ? ST_BYPASS_HITS : ST_BYPASS_MISSES;
		this_cpu_add(s->pcpu->c[ST_BYPASSED], sectors);
	} else {
		i = hit ? ST_HITS : ST_MISSES;
	}
	this_cpu_inc(s->pcpu->c[i]);
}

/**
 * bch_stats_bypassed() - count a bypassed write.
 * @s: statistics
 * @sectors: size of the write
 *
 * Context: any context; lock-free.
 */
void bch_stats_bypassed(struct bch_stats *s, unsigned int sectors)
{
	this_cpu_add(s->pcpu->c[ST_BYPASSED], sectors);
}
