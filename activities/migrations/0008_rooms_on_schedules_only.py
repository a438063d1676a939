from django.db import migrations, models


def activity_room_to_schedules(apps, schema_editor):
    # The activity's room was shown in the feeds but given to no session: it
    # becomes the room of its schedules that named none, so no room a
    # coordinator entered is lost. Sessions take it at their next generation.
    Schedule = apps.get_model("activities", "Schedule")
    Activity = apps.get_model("activities", "Activity")
    room = Activity.objects.filter(pk=models.OuterRef("activity_id")).values("space_id")[:1]
    Schedule.objects.filter(space__isnull=True, activity__space__isnull=False).update(space_id=models.Subquery(room))


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0007_schedule_generated_until"),
    ]

    operations = [
        migrations.RunPython(activity_room_to_schedules, migrations.RunPython.noop),
        migrations.RemoveField(model_name="activity", name="space"),
        migrations.AlterField(
            model_name="schedule",
            name="space",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "Where this schedule's sessions take place; an activity has no room of its own. If another "
                    "session or a booking has the room at one of their times, you are told which."
                ),
                null=True,
                on_delete=models.deletion.SET_NULL,
                related_name="schedules",
                to="venues.space",
                verbose_name="space",
            ),
        ),
    ]
