# Kvarter's changes to Django's date and time formats (settings.FORMAT_MODULE_PATH);
# anything not named here is Django's own for the language.
# Times are typed and shown in forms as 16:00, without seconds, in every
# language (issue 19): Django's first input format, which its widgets display
# a value in, is "16:00:00". Seconds are still accepted.
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f"]
